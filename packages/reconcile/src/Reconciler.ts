/**
 * One reconcile pass, level-based and safe to repeat: settle the journal, read the remote tree, plan against
 * the desired state, apply (unless dry-run), re-read and re-plan until nothing is left or a round makes no
 * progress, and record the run in the state database.
 */
import { Clock, Context, Duration, Effect, Either, identity, Layer, Option, Ref } from "effect"
import * as Apply from "./Apply.js"
import * as Contest from "./Contest.js"
import type { DesiredState } from "./Desired.js"
import * as DriftReport from "./DriftReport.js"
import * as Awaiting from "./internal/awaiting.js"
import * as Identities from "./internal/identities.js"
import * as Journal from "./internal/journal.js"
import { contestedNow, contestIn, fromClient, fromDb, ReconcileError, readRemote, refuseShort } from "./internal/passReads.js"
import * as SignedInOrg from "./internal/signedInOrg.js"
import { OrgApi } from "./OrgApi.js"
import * as Plan from "./Plan.js"
import * as PlanChecksum from "./PlanChecksum.js"
import * as Policy from "./Policy.js"
import * as Refusals from "./Refusals.js"
import * as Safety from "./Safety.js"
import { type RunCommit, type RunKind, StateDb, StateReader } from "./StateDb.js"

export interface PassOptions {
  readonly dryRun: boolean
  /** Lifts the 25% threshold (`--force` on `apply`, or on `run` and the `force` setting for the daemon). */
  readonly force: boolean
  /** Asked once with the first plan that has changes; `false` applies nothing (a person said no, or a
   * reviewed plan no longer matches). */
  readonly confirm?: (plan: Plan.Plan) => Effect.Effect<boolean>
  /** How the run is recorded in the history; default `plan` for a dry run, else `apply`. */
  readonly kind?: RunKind
  /** The git commit the desired state was read at, recorded with the run. */
  readonly commit?: RunCommit | undefined
  /** What is applied without a person (default: everything, drift healed). */
  readonly policy?: Policy.Policy
  /** What people decided about held changes (`destructive: confirm`). */
  readonly decisions?: Policy.Decisions
  /**
   * Asked before each write with its change; once it says no (the daemon was suspended, or the change
   * rejected), the pass sends no more.
   */
  readonly mayWrite?: ((change: Plan.Change) => Effect.Effect<boolean>) | undefined
  /** Runs the sending of each write, and may cut it short when writing must stop at once (`Apply.ExecuteOptions`). */
  readonly guard?: Apply.ExecuteOptions["guard"]
}

export interface PassResult {
  readonly startedAt: Date
  readonly finishedAt: Date
  readonly dryRun: boolean
  /** What is still to do after the pass (everything planned, under dry-run). */
  readonly pending: Plan.Plan
  /** Writes made and writes that failed. */
  readonly applied: number
  readonly failed: number
  /** Changes with cause `drift` found at the start of the pass. */
  readonly drift: number
  /** The drift found at the start of the pass, field by field, as recorded in the run history. */
  readonly driftFound: ReadonlyArray<DriftReport.Detail>
  /** The changes the policy kept back in the last round, each with why. */
  readonly kept: ReadonlyArray<Policy.Kept>
  /** One line per write that failed. */
  readonly writeErrors: ReadonlyArray<string>
  /** One line per failed write or unresolved problem. */
  readonly errors: ReadonlyArray<string>
  /** Nothing pending, no conflict, no refusal. */
  readonly converged: boolean
  /** `confirm` said no: nothing was applied. */
  readonly declined: boolean
  /** Writing stopped during the pass (`mayWrite` said no, `guard` cut a write short): what is not done is left pending. */
  readonly stopped: boolean
}

export { ReconcileError } from "./internal/passReads.js"

export class Reconciler extends Context.Tag("@c42/daemon/Reconciler")<Reconciler, {
  readonly pass: (desired: DesiredState, options: PassOptions) => Effect.Effect<PassResult, ReconcileError>
}>() {}

export interface ReconcilerOptions {
  /** Who signs in (`url` and user or client id, never a secret): keys the cached signed-in org. */
  readonly principal: string
  /** API clients have no signed-in user, so no org of their own to protect. */
  readonly signedInUser: boolean
  /** Writes in flight at once (the client's limiter still paces them). */
  readonly concurrency: number
  /**
   * Read-plan-apply rounds before a pass gives up converging (default 5); rounds whose writes hit transient
   * failures have four times as many.
   */
  readonly maxRounds?: number
}

/** Whether a plan blocks or deactivates anything: only then does the signed-in user's org matter. */
const restricts = (plan: Plan.Plan) => plan.changes.some(Plan.restricts)

/** The signed-in user's org as last seen, for planning offline. */
export const lastSignedInOrg = SignedInOrg.last

/**
 * What a pass would plan now, from a state database opened read-only: reads Code42 and plans against the
 * identities, contests and refusals on record, and records nothing (no snapshot, no journal settled, no run),
 * so that a plan in CI never touches the journal of a daemon's writes in flight. `drift` is planned as a pass
 * plans it, so that the same settings give the same checksum.
 */
export const preview = (
  desired: DesiredState,
  options: { readonly force: boolean; readonly signedInUser: boolean; readonly drift?: Policy.Drift | undefined }
) =>
  Effect.gen(function*() {
    const db = yield* StateReader
    const api = yield* OrgApi
    const remote = yield* readRemote
    const identities = yield* db.identities
    const listedLate = yield* refuseShort(db, identities, remote, options.force)
    const contested = yield* contestedNow(remote)
    const refusals = yield* Refusals.load
    const written = statusWritten(yield* db.history.standing)
    const planWith = (currentOrgUid: string | undefined) => {
      const made = Plan.make({
        desired,
        remote,
        identities,
        settings: { currentOrgUid, canBlock: api.canBlock, drift: options.drift },
        statusWritten: written
      })
      const withheld = Refusals.withhold(Contest.withhold(made, contested).plan, refusals, remote).plan
      const awaited = Awaiting.withhold(withheld, listedLate.map((a) => a.path))
      return Safety.review(awaited, { desired, force: options.force })
    }
    const plan = planWith(undefined)
    if (!restricts(plan) || !options.signedInUser) return plan
    return planWith(yield* api.currentOrgUid.pipe(Effect.mapError(fromClient)))
  }).pipe(Effect.catchTag("StateDbError", (e) => Effect.fail(fromDb(e))))

/** The last status orgsync wrote to each org, of the values it wrote that were not found changed back. */
const statusWritten = (written: ReadonlyArray<Contest.Written>): ReadonlyMap<string, string | null> =>
  new Map(written.filter((w) => w.field === "status").map((w) => [w.orgUid, w.value]))

const countDrift = (plan: Plan.Plan) => plan.changes.filter((change) => change.cause === "drift").length

export const make = (options: ReconcilerOptions) =>
  Effect.gen(function*() {
    const db = yield* StateDb
    const api = yield* OrgApi
    const context = yield* Effect.context<OrgApi | StateDb>()
    const maxRounds = options.maxRounds ?? 5
    const maxRetriedRounds = maxRounds * 4

    /**
     * One read and plan. `signedIn` holds the signed-in user's org once this pass has asked for it: at most one
     * call a pass, and only when a plan blocks or deactivates.
     */
    const round = (
      desired: DesiredState,
      force: boolean,
      signedIn: Ref.Ref<Option.Option<string | undefined>>,
      contest: ReturnType<typeof contestIn>,
      refusals: ReadonlyArray<Refusals.Refusal>,
      drift: Policy.Drift | undefined,
      evidence: Awaiting.Evidence
    ) =>
      Effect.gen(function*() {
        const remote = yield* readRemote
        // Holding what it shares only while it reads.
        const readIdentities = () =>
          db.identitiesSharing(Identities.sharing(desired, remote)).pipe(Effect.mapError(fromDb))
        const recorded = yield* readIdentities()
        const listedLate = yield* refuseShort(db, recorded, remote, force)
        const takenAt = new Date(yield* Clock.currentTimeMillis)
        yield* db.saveSnapshot({ takenAt, orgs: remote }).pipe(Effect.mapError(fromDb))
        const settled = yield* Journal.settle(remote, evidence).pipe(Effect.mapError(fromDb))
        const { adopted, unlisted } = settled
        const awaiting = [...settled.awaiting, ...listedLate]
        // Settling the journal records an identity only for a create it adopts.
        const identities = adopted === 0 ? recorded : yield* readIdentities()
        const written = yield* db.history.standing.pipe(Effect.mapError(fromDb))
        const opened = Policy.openedByOrgsync(written, identities)
        const planWith = (currentOrgUid: string | undefined) =>
          Effect.map(
            contest(
              remote,
              Plan.make({
                desired,
                remote,
                identities,
                settings: { currentOrgUid, canBlock: api.canBlock, drift },
                statusWritten: statusWritten(written)
              })
            ),
            (plan) => {
              const { plan: withheld, standing } = Refusals.withhold(plan, refusals, remote)
              const reviewed = Safety.review(withheld, { desired, force })
              return { remote, identities, standing, opened, plan: reviewed, awaiting, unlisted }
            }
          )
        // A plan that restricts nothing does not need the signed-in user's org: knowing it only adds conflicts.
        const known = yield* Ref.get(signedIn)
        const planned = yield* planWith(Option.getOrUndefined(known))
        if (Option.isSome(known) || !restricts(planned.plan)) return planned
        const currentOrg = yield* SignedInOrg.ask(options.principal, options.signedInUser).pipe(
          Effect.mapError((e) => e._tag === "StateDbError" ? fromDb(e) : fromClient(e))
        )
        yield* Ref.set(signedIn, Option.some(currentOrg))
        return yield* planWith(currentOrg)
      })

    const pass = (desired: DesiredState, passOptions: PassOptions) =>
      Effect.gen(function*() {
        const startedAt = new Date(yield* Clock.currentTimeMillis)
        const runId = yield* db.runStart(
          passOptions.kind ?? (passOptions.dryRun ? "plan" : "apply"),
          passOptions.dryRun,
          passOptions.commit
        ).pipe(Effect.mapError(fromDb))
        const outcome = yield* Effect.gen(function*() {
          let applied = 0
          let failed = 0
          let drift: number | undefined
          let driftFound: ReadonlyArray<DriftReport.Detail> | undefined
          const writeErrors: Array<string> = []
          const errors: Array<string> = []
          // The changes the last round sent, to tell a round that would send the same ones again.
          let previous: ReadonlyArray<Plan.Change> | undefined
          let declined = false
          let stopped = false
          let last: Apply.ApplyResult | undefined
          // Rounds that ended without a transient failure, and rounds that hit one: a write that failed on the
          // way (a 5xx, a cut connection, an unknown outcome) is retried by the next round, a while longer.
          let steady = 0
          let retried = 0
          const signedIn = yield* Ref.make(Option.none<string | undefined>())
          const contest = contestIn(db, runId)
          // Changes Code42 refused by its rules, here or in an earlier pass: conflicts, not sent again.
          let refusals = yield* Refusals.load.pipe(Effect.provideService(StateReader, db), Effect.mapError(fromDb))
          // After a confirmed or reviewed first round, later rounds only retry or finish its changes.
          let held: ((plan: Plan.Plan) => Safety.Held) | undefined
          // What this pass's writes showed, and the creates answered with success that Code42 does not list.
          const known = Awaiting.evidence()
          const unlisted = new Map<string, string>()
          // Writes of unknown outcome of earlier rounds whose create is still awaited.
          let carried: ReadonlyArray<Apply.Uncertain> = []
          while (true) {
            const read = yield* round(desired, passOptions.force, signedIn, contest, refusals, passOptions.policy?.drift, known)
            const { identities, opened, plan, remote, standing } = read
            for (const { message, path } of read.unlisted) unlisted.set(path, message)
            // A create awaited that the plan would send again: what waits on it is not sent, the rest goes on.
            const awaiting = read.awaiting.filter((a) => plan.changes.some((c) => c.action === "create" && c.path === a.path))
            const open = new Set(awaiting.map((a) => a.path))
            const sendable = Awaiting.withhold(plan, [...open, ...unlisted.keys()])
            // Writes of the last round whose answer was lost: done if this re-read no longer plans them.
            const planned = new Set(plan.changes.map(Apply.describe))
            const uncertain = [...carried, ...last?.uncertain ?? []]
            carried = uncertain.filter(({ change }) => open.has(change.path))
            for (const { change, error, stopped: cut } of uncertain) {
              if (open.has(change.path)) continue
              if (!planned.has(Apply.describe(change))) applied++
              // Cut short by a suspension and not done: pending, with the writes not sent.
              else if (!cut) {
                failed++
                if (!errors.includes(error.message)) errors.push(error.message)
                if (!writeErrors.includes(error.message)) writeErrors.push(error.message)
              }
            }
            drift ??= countDrift(plan)
            driftFound ??= yield* db.drift.record(runId, DriftReport.details(plan.changes, startedAt)).pipe(
              Effect.mapError(fromDb)
            )
            const { allowed: reviewed, unreviewed } = held?.(sendable) ?? { allowed: sendable.changes, unreviewed: [] }
            const { allowed, kept } = Policy.gate(
              reviewed,
              passOptions.policy ?? Policy.auto,
              passOptions.decisions,
              opened
            )
            const done = passOptions.dryRun || stopped || plan.refusal !== undefined || allowed.length === 0
            // The same changes again: as many, then the same checksum (a plan's checksum takes a while to make).
            const repeated = () =>
              previous !== undefined && previous.length === allowed.length &&
              PlanChecksum.checksum({ changes: previous }) === PlanChecksum.checksum({ changes: allowed })
            // No progress: the same changes again, or a round whose every write failed, without a transient cause.
            const transientFailure = last !== undefined && last.transient > 0
            const stuck = !stopped && (steady >= maxRounds || retried >= maxRetriedRounds ||
              (!transientFailure && (repeated() || last?.applied === 0 && last.unknown === 0)))
            if (done && !passOptions.dryRun && !stopped && plan.refusal === undefined && awaiting.length > 0) {
              const delay = Awaiting.untilNextReread(awaiting, yield* Clock.currentTimeMillis)
              yield* Effect.logInfo(
                `waiting ${Duration.format(delay)} to read Code42 again for ${awaiting.map((a) => a.path).join(", ")}`
              )
              // Cut short at once when writing stops (a daemon suspended) or the process is told to end.
              const waited = yield* Effect.either((passOptions.guard ?? identity)(Effect.sleep(delay)))
              if (Either.isLeft(waited)) stopped = true
              last = undefined
              previous = undefined
              continue
            }
            if (!done && held === undefined && passOptions.confirm !== undefined) {
              declined = !(yield* passOptions.confirm(plan))
              held = Safety.reviewedBy(plan)
            }
            if (done || stuck || declined) {
              if (!passOptions.dryRun && !declined) {
                yield* Identities.remember(desired, plan, remote, identities).pipe(Effect.mapError(fromDb))
                yield* Refusals.save(standing).pipe(Effect.mapError(fromDb))
              }
              if (plan.refusal !== undefined) errors.push(`refused: ${plan.refusal.message}`)
              else if (stuck && allowed.length > 0) {
                errors.push(...allowed.map((c) => `did not converge: ${c.action} ${c.path}`))
              }
              if (!passOptions.dryRun && plan.refusal === undefined) {
                errors.push(...unreviewed.map((c) => `not reviewed, so not applied: ${c.action} ${c.path}`))
                errors.push(...kept.map(Policy.describeKept))
                if (stopped) errors.push(...allowed.map((c) => `not sent (writing stopped during the pass): ${c.action} ${c.path}`))
                errors.push(...awaiting.map(Awaiting.describe), ...unlisted.values())
              }
              return { plan, applied, failed, drift, driftFound: driftFound ?? [], kept, writeErrors, errors, declined, stopped }
            }
            previous = allowed
            const { guard, mayWrite } = passOptions
            const execute = { concurrency: options.concurrency, runId, mayWrite, guard, evidence: known }
            last = yield* Apply.execute({ ...plan, changes: allowed }, remote, execute).pipe(
              Effect.mapError(fromDb)
            )
            refusals = Refusals.merge(refusals, last.refused.map(({ change, error }) => Refusals.make(change, error, remote)))
            if (last.stopped) stopped = true
            if (last.transient > 0) retried++
            else steady++
            applied += last.applied
            failed += last.failed
            for (const { message } of last.errors) {
              if (!errors.includes(message)) errors.push(message)
              if (!writeErrors.includes(message)) writeErrors.push(message)
            }
          }
        }).pipe(
          Effect.tapError((error) => db.runFinish(runId, "error", {}, [error.message]).pipe(Effect.ignore))
        )
        const pending = outcome.plan
        const converged = Plan.converged(pending)
        const result: PassResult = {
          startedAt,
          finishedAt: new Date(yield* Clock.currentTimeMillis),
          dryRun: passOptions.dryRun,
          pending,
          applied: outcome.applied,
          failed: outcome.failed,
          drift: outcome.drift,
          driftFound: outcome.driftFound,
          kept: outcome.kept,
          writeErrors: outcome.writeErrors,
          errors: [...outcome.errors, ...pending.conflicts.map((c) => `conflict: ${c.path}: ${c.message}`)],
          converged,
          declined: outcome.declined,
          stopped: outcome.stopped
        }
        // Changes left only because the policy keeps them back (held, never, drift reported), or because writing
        // stopped, leave the run pending.
        const onlyKept = outcome.failed === 0 && pending.conflicts.length === 0 &&
          (outcome.stopped || pending.changes.length === outcome.kept.length)
        yield* db.runFinish(
          runId,
          converged
            ? "converged"
            : pending.refusal !== undefined
            ? "refused"
            : outcome.declined
            ? "declined"
            : passOptions.dryRun || onlyKept
            ? "pending"
            : "failed",
          {
            applied: result.applied,
            failed: result.failed,
            drift: result.drift,
            pending: pending.changes.length,
            conflicts: pending.conflicts.length,
            unmanaged: pending.unmanaged.length
          },
          result.errors
        ).pipe(Effect.mapError(fromDb))
        return result
      }).pipe(Effect.provide(context))

    return Reconciler.of({ pass })
  })

export const layer = (options: ReconcilerOptions) => Layer.effect(Reconciler, make(options))
