/** `orgsync apply`: make Code42 match the desired files; exit 0 converged, 1 error or refused. */
import { type Plan, PlanChecksum, PlanFormat, Policy, Reconciler, StateDb } from "@c42/reconcile"
import { Console, Effect, Option, Ref } from "effect"
import type * as CommandFlags from "../CommandFlags.js"
import * as Connection from "../Connection.js"
import { CommandFailed, exitWith, failure, ok } from "../ExitCode.js"
import * as InputFile from "../InputFile.js"
import * as Settings from "../Settings.js"
import * as Style from "../Style.js"
import * as Suspension from "../Suspension.js"
import * as TerminalPrompt from "../TerminalPrompt.js"
import { loadDesired } from "./desired.js"
import { planText } from "./planning.js"

/**
 * Shows the plan on stdout, with what `policy` keeps back apart, and asks on the terminal (where the plan is
 * shown too when stdout goes elsewhere); only `yes` is consent.
 */
const askOnTerminal = (policy: Policy.Policy) => (plan: Plan.Plan) =>
  Effect.gen(function*() {
    const { kept } = Policy.gate(plan.changes, policy)
    yield* Console.log(planText(plan, undefined, kept))
    const answer = yield* TerminalPrompt.ask(
      process.stdout.isTTY === true ? "" : `${planText(plan, Style.terminal(), kept)}\n`,
      "\nApply these changes? Only 'yes' will be accepted: "
    )
    return answer.trim() === "yes"
  })

/** Far above the plan of a 100,000-org tenant created from nothing (about 30 MB). */
const maxPlanBytes = 64 * 1024 * 1024

/** Reads a `plan --format json` file and answers whether the plan made now still has its checksum. */
const matchesReviewed = (path: string) =>
  Effect.gen(function*() {
    const text = yield* InputFile.readText(path, maxPlanBytes).pipe(
      Effect.mapError((error) =>
        new CommandFailed({ message: `cannot read the plan file ${path}: ${error.reason}`, cause: error.cause })
      )
    )
    const reviewed = yield* Effect.try({
      try: () => JSON.parse(text) as { formatVersion?: unknown; checksum?: unknown },
      catch: (cause) =>
        new CommandFailed({ message: `${path}: not a JSON plan (make one with orgsync plan --format json --out ${path})`, cause })
    })
    if (reviewed.formatVersion !== 1 || typeof reviewed.checksum !== "string") {
      return yield* new CommandFailed({ message: `${path}: not a formatVersion 1 plan with a checksum` })
    }
    const checksum = reviewed.checksum
    return (plan: Plan.Plan) =>
      PlanChecksum.checksum(plan) === checksum
        ? Effect.succeed(true)
        : Console.error(
          `${path} is stale: Code42 or the desired files changed since it was made. Run orgsync plan again and review it.`
        ).pipe(Effect.as(false))
  })

/**
 * After a signal cut an apply short: what was applied, what was not, and what may or may not have happened,
 * from the journal of the writes since the apply started.
 */
const reportInterrupted = (since: Date, confirmed: Option.Option<Plan.Plan>) =>
  Effect.gen(function*() {
    const db = yield* StateDb.StateDb
    const writes = yield* db.journalSince(since).pipe(Effect.orElseSucceed(() => []))
    const line = (write: { readonly action: string; readonly path: string }) => `  ${write.action} ${write.path}`
    const applied = writes.filter((write) => write.outcome === "done" || write.outcome === "adopted")
    const unknown = writes.filter((write) => write.outcome === undefined)
    const sent = new Set(writes.filter((write) => write.outcome !== "failed").map(line))
    const notApplied = Option.match(confirmed, { onNone: () => [], onSome: (plan) => plan.changes })
      .filter((change) => !sent.has(line(change)))
    yield* Console.log(
      `\nInterrupted: ${PlanFormat.plural(applied.length, "change")} applied, ${notApplied.length} not applied` +
        (unknown.length > 0 ? `, ${unknown.length} cut short (the next run re-reads Code42 and settles them)` : "") +
        "."
    )
    for (const [title, list] of [["Applied:", applied], ["Cut short:", unknown], ["Not applied:", notApplied]] as const) {
      if (list.length > 0) yield* Console.log([title, ...list.map(line)].join("\n"))
    }
    yield* Console.log("The run is recorded as interrupted; orgsync plan shows what is left.")
  })

export const handle = (flags: CommandFlags.Values<typeof CommandFlags.apply>) =>
  exitWith(Effect.gen(function*() {
    const settings = yield* Settings.resolve(flags)
    const desiredState = yield* loadDesired(settings.desired)
    if (!flags.yes && Option.isNone(flags.plan) && !(yield* TerminalPrompt.available)) {
      yield* Console.error("orgsync apply: not on a terminal, so there is no one to ask: pass --yes to apply")
      return failure
    }
    const policy = Policy.oneShot(settings)
    const show = (plan: Plan.Plan) =>
      Console.log(planText(plan, undefined, Policy.gate(plan.changes, policy).kept)).pipe(Effect.as(true))
    const confirm = Option.isSome(flags.plan)
      ? yield* matchesReviewed(flags.plan.value)
      : flags.yes
      ? show
      : askOnTerminal(policy)
    const startedAt = new Date()
    const confirmed = yield* Ref.make(Option.none<Plan.Plan>())
    const result = yield* Effect.gen(function*() {
      // A daemon's suspension binds every writer of its state database.
      yield* Suspension.refuseWhileSuspended
      const reconciler = yield* Reconciler.Reconciler
      return yield* reconciler.pass(desiredState, {
        dryRun: false,
        force: flags.force,
        // confirm is what apply always does: it asks, or takes --yes or a reviewed plan as the answer.
        policy,
        confirm: (plan) => Effect.tap(confirm(plan), (yes) => yes ? Ref.set(confirmed, Option.some(plan)) : Effect.void)
      })
    }).pipe(
      Effect.onInterrupt(() => Effect.flatMap(Ref.get(confirmed), (plan) => reportInterrupted(startedAt, plan))),
      Effect.provide(yield* Connection.connected(settings))
    )
    if (result.declined) {
      yield* Console.error("Nothing applied.")
      return failure
    }
    if (result.converged) {
      yield* Console.log(
        result.applied === 0
          ? planText(result.pending)
          : `\nApply complete: ${PlanFormat.plural(result.applied, "change")} made. Code42 matches the desired state.`
      )
      return ok
    }
    // A refusal comes first: it is why nothing (more) was applied.
    if (result.pending.refusal === undefined || result.applied > 0) {
      yield* Console.log(
        `\nApplied ${PlanFormat.plural(result.applied, "change")}, ${result.failed} failed. Still pending:\n`
      )
    }
    yield* Console.log(planText(result.pending, undefined, result.kept))
    for (const error of result.errors) yield* Console.error(error)
    return failure
  }))
