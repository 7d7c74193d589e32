/**
 * `orgsync plan`: what apply would do, as rows, a pull-request comment or JSON; exit 0 no changes, 2 changes
 * pending, 1 error or refused. It plans with the `drift` and `destructive` settings apply is given: the same
 * settings give the same checksum, and the changes apply would keep back are shown apart.
 */
import { DesiredCommit, type Plan, PlanFormat, PlanMarkdown, Policy, Reconciler, StateDb } from "@c42/reconcile"
import { Console, Effect, Layer, Option } from "effect"
import type * as CommandFlags from "../CommandFlags.js"
import * as Connection from "../Connection.js"
import { exitWith, failure, ok, pendingChanges } from "../ExitCode.js"
import * as OutputFile from "../OutputFile.js"
import * as Settings from "../Settings.js"
import * as Suspension from "../Suspension.js"
import { loadDesired } from "./desired.js"
import { offlinePlan, planText } from "./planning.js"

/**
 * `source` is there exactly for the markdown format; text is coloured on stdout only, never in a file. `kept`:
 * the changes the policy keeps back.
 */
const formatPlan = (
  plan: Plan.Plan,
  kept: ReadonlyArray<Policy.Kept>,
  format: "text" | "markdown" | "json",
  source: PlanMarkdown.Source | undefined,
  out: Option.Option<string>
) =>
  format === "json"
    ? PlanFormat.json(plan, kept)
    : source !== undefined
    ? PlanMarkdown.render(plan, source, kept)
    : Option.isNone(out)
    ? planText(plan, undefined, kept)
    : PlanFormat.text(plan, undefined, kept)

/** What the heading of a markdown plan names: the tenant, when the connection settings are there, and the commit. */
const markdownSource = (settings: Settings.Settings) =>
  Effect.all({
    tenantUrl: Settings.clientConfig(settings).pipe(
      Effect.map((clientConfig): string | undefined => clientConfig.url),
      Effect.orElseSucceed(() => undefined)
    ),
    commit: Effect.map(DesiredCommit.read(settings.desired), Option.getOrUndefined)
  })

const hasPending = (plan: Plan.Plan) => plan.changes.length > 0 || plan.conflicts.length > 0

/** A plan is still made while a daemon's suspension holds; one line says that apply would refuse it. */
const noteSuspension = Effect.flatMap(StateDb.StateReader, Suspension.read).pipe(
  Effect.flatMap(Option.match({
    onNone: () => Effect.void,
    onSome: ({ since }) =>
      Console.error(`orgsync plan: note: ${Suspension.describe(since)}: apply refuses until orgsync resume`)
  }))
)

export const handle = (flags: CommandFlags.Values<typeof CommandFlags.plan>) =>
  exitWith(Effect.gen(function*() {
    const settings = yield* Settings.resolve(flags)
    const refuseOut = (files: ReadonlyArray<string>) =>
      Option.match(flags.out, {
        onNone: () => Effect.void,
        onSome: (out) =>
          Effect.zipRight(OutputFile.checkTarget(out), OutputFile.refuseOwn(out, settings, { path: settings.desired, files }))
      })
    const source = flags.format === "markdown" ? yield* markdownSource(settings) : undefined
    // A markdown plan of invalid files lists their errors itself: on a terminal, they are not printed twice
    // (when stdout is captured for a comment, stderr still tells the log).
    const issues = source === undefined || Option.isSome(flags.out) || process.stdout.isTTY !== true ? "print" : "quiet"
    const desiredState = yield* loadDesired(settings.desired, issues).pipe(
      Effect.tapError((invalid) =>
        source === undefined
          ? Effect.void
          : refuseOut([settings.desired, ...invalid.issues.map((issue) => issue.file)]).pipe(
            Effect.zipRight(OutputFile.print(flags.out, PlanMarkdown.invalid(invalid.issues, source)))
          )
      )
    )
    yield* refuseOut(desiredState.files)
    // The state database is only read: a plan beside a running daemon leaves its journal and its file alone.
    const policy = Policy.oneShot(settings)
    const result = flags.offline
      ? yield* offlinePlan(desiredState, settings).pipe(
        Effect.zipLeft(noteSuspension),
        Effect.provide(Connection.reader(settings))
      )
      : yield* Effect.gen(function*() {
        const clientConfig = yield* Settings.clientConfig(settings)
        const signedInUser = clientConfig.auth._tag === "LocalAccount"
        return yield* Reconciler.preview(desiredState, { force: false, signedInUser, drift: policy.drift }).pipe(
          Effect.zipLeft(noteSuspension),
          Effect.provide(Layer.merge(yield* Connection.client(clientConfig), Connection.reader(settings)))
        )
      })
    // A refused plan is still written, so that it can be reviewed and then applied with --force.
    const { kept } = Policy.gate(result.changes, policy)
    yield* OutputFile.print(flags.out, formatPlan(result, kept, flags.format, source, flags.out))
    if (result.refusal !== undefined) {
      yield* Console.error(`orgsync plan: refused (${result.refusal.reason}): ${result.refusal.message}`)
      return failure
    }
    return hasPending(result) ? pendingChanges : ok
  }))
