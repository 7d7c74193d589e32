/**
 * One reconcile pass, level-based and safe to repeat: settle the journal, read the remote tree, plan against
 * the desired state, apply (unless dry-run), re-read and re-plan until nothing is left or a round makes no
 * progress, and record the run in the state database.
 */
import { type Code42Error, type Org, OrgClient } from "@c42/core"
import { Context, Data, Effect, Layer, Option } from "effect"
import * as Apply from "./Apply.js"
import type { DesiredOrg, DesiredState } from "./Desired.js"
import * as Plan from "./Plan.js"
import * as PlanFormat from "./PlanFormat.js"
import * as RemoteTree from "./RemoteTree.js"
import { type RunKind, StateDb, type StateDbError } from "./StateDb.js"

export interface PassOptions {
  readonly dryRun: boolean
  /** Lifts the 25% threshold (the CLI's `--force`; the daemon never forces). */
  readonly force: boolean
  /** Asked once with the first plan that has changes; `false` applies nothing (a person said no, or a
   * reviewed plan no longer matches). */
  readonly confirm?: (plan: Plan.Plan) => Effect.Effect<boolean>
  /** How the run is recorded in the history; default `plan` for a dry run, else `apply`. */
  readonly kind?: RunKind
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
  /** One line per failed write or unresolved problem. */
  readonly errors: ReadonlyArray<string>
  /** Nothing pending, no conflict, no refusal. */
  readonly converged: boolean
  /** `confirm` said no: nothing was applied. */
  readonly declined: boolean
}

/** A pass that could not run: `transient` ones (Code42 unreachable, rate limited) are retried with back-off. */
export class ReconcileError extends Data.TaggedError("ReconcileError")<{
  readonly message: string
  readonly transient: boolean
  readonly cause?: unknown
}> {}

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
  /** Read-plan-apply rounds before a pass gives up converging. */
  readonly maxRounds?: number
}

const transient = (error: Code42Error.Code42Error): boolean =>
  error._tag === "TransportError" || error._tag === "ServerError" || error._tag === "RateLimitedError" ||
  error._tag === "UnknownOutcomeError"

const fromClient = (error: Code42Error.Code42Error) =>
  new ReconcileError({ message: `cannot read Code42: ${error.message}`, transient: transient(error), cause: error })

const fromDb = (error: StateDbError) => new ReconcileError({ message: error.message, transient: false, cause: error })

const signedInOrgKey = "signed_in_org"

interface SignedInOrg {
  readonly principal: string
  readonly orgUid: string | null
}

/** The signed-in user's org as remembered for this principal; `undefined` when not known yet. */
const rememberedOrg = (principal: string) =>
  Effect.map(
    Effect.flatMap(StateDb, (db) => db.getMeta(signedInOrgKey)),
    (value) => {
      const remembered = Option.map(value, (json) => JSON.parse(json) as SignedInOrg)
      return Option.isSome(remembered) && remembered.value.principal === principal ? remembered.value : undefined
    }
  )

/** Asks Code42 for the signed-in user's org (API clients have none) and remembers it. */
const askSignedInOrg = (principal: string, signedInUser: boolean) =>
  Effect.gen(function*() {
    const orgUid = signedInUser
      ? yield* Effect.map(Effect.flatMap(OrgClient.OrgClient, (client) => client.getCurrent()), (org) => org.orgUid)
      : null
    yield* Effect.flatMap(StateDb, (db) => db.setMeta(signedInOrgKey, JSON.stringify({ principal, orgUid })))
    return orgUid ?? undefined
  })

/** Whether a plan blocks or deactivates anything: only then does the signed-in user's org matter. */
const restricts = (plan: Plan.Plan) =>
  plan.changes.some((change) => change.action === "block" || change.action === "deactivate")

/** The signed-in user's org as last seen, for planning offline. */
export const lastSignedInOrg = Effect.map(
  Effect.flatMap(StateDb, (db) => db.getMeta(signedInOrgKey)),
  Option.flatMap((value) => Option.fromNullable((JSON.parse(value) as { orgUid: string | null }).orgUid))
)

/**
 * Resolves writes a crash or an unknown outcome left unsettled, against a fresh read: a create that did
 * happen is adopted (its identity recorded), never repeated; anything else is left to the re-plan.
 */
export const settleJournal = (remote: ReadonlyArray<Org.Org>) =>
  Effect.gen(function*() {
    const db = yield* StateDb
    const entries = yield* db.unsettled
    let adopted = 0
    for (const entry of entries) {
      if (entry.action !== "create") {
        yield* db.journalSettle(entry.id, "reread")
        continue
      }
      const preexisting = new Set(entry.preexisting)
      const found = remote.find((org) =>
        org.parentOrgUid === entry.parentOrgUid && org.orgName === entry.orgName && !preexisting.has(org.orgUid)
      )
      if (found === undefined) {
        yield* db.journalSettle(entry.id, "not-applied")
      } else {
        yield* db.saveIdentities([{ path: entry.path, orgUid: found.orgUid, orgId: found.orgId, orgGuid: found.orgGuid }])
        yield* db.journalSettle(entry.id, "adopted", { orgUid: found.orgUid })
        adopted++
      }
    }
    return { unsettled: entries.length, adopted }
  })

/** The desired fields of every org, for the identity mapping's record of what was last converged. */
const desiredFields = (desired: DesiredState) => {
  const fields = new Map<string, DesiredOrg>()
  const walk = (orgs: ReadonlyArray<DesiredOrg>) => {
    for (const org of orgs) {
      fields.set(org.path, org)
      walk(org.children)
    }
  }
  walk(desired.orgs)
  return fields
}

const countDrift = (plan: Plan.Plan) => plan.changes.filter((change) => change.cause === "drift").length

export const make = (options: ReconcilerOptions) =>
  Effect.gen(function*() {
    const db = yield* StateDb
    const context = yield* Effect.context<OrgClient.OrgClient | StateDb>()
    const maxRounds = options.maxRounds ?? 5

    const round = (desired: DesiredState, force: boolean) =>
      Effect.gen(function*() {
        const remote = yield* RemoteTree.read.pipe(
          Effect.mapError((e) =>
            e._tag === "InconsistentTree" ? new ReconcileError({ message: e.message, transient: true }) : fromClient(e)
          )
        )
        yield* db.saveSnapshot({ takenAt: new Date(), orgs: remote }).pipe(Effect.mapError(fromDb))
        yield* settleJournal(remote).pipe(Effect.mapError(fromDb))
        const identities = yield* db.identities.pipe(Effect.mapError(fromDb))
        const planWith = (currentOrgUid: string | undefined) =>
          Plan.make({ desired, remote, identities, settings: { currentOrgUid, force } })
        // The signed-in user's org costs a call the first time; a plan that restricts nothing does not need it.
        const remembered = yield* rememberedOrg(options.principal).pipe(Effect.mapError(fromDb))
        const plan = planWith(remembered?.orgUid ?? undefined)
        if (remembered !== undefined || !restricts(plan)) return { remote, plan }
        const currentOrg = yield* askSignedInOrg(options.principal, options.signedInUser).pipe(
          Effect.mapError((e) => e._tag === "StateDbError" ? fromDb(e) : fromClient(e))
        )
        return { remote, plan: planWith(currentOrg) }
      })

    /** Records the resolved identities, and what was converged, where they differ from what is stored. */
    const remember = (desired: DesiredState, plan: Plan.Plan, remote: ReadonlyArray<Org.Org>) =>
      Effect.gen(function*() {
        const byUid = new Map(remote.map((org) => [org.orgUid, org]))
        const fields = desiredFields(desired)
        const unsettledPaths = new Set([...plan.changes.map((c) => c.path), ...plan.conflicts.map((c) => c.path)])
        const stored = new Map((yield* db.identities).map((identity) => [identity.path, identity]))
        const changed = plan.resolved.flatMap(({ orgUid, path }) => {
          const org = byUid.get(orgUid)
          const want = fields.get(path)
          if (org === undefined || want === undefined) return []
          const applied = unsettledPaths.has(path) ? undefined : {
            name: want.name,
            extRef: want.extRef === undefined ? org.orgExtRef ?? null : want.extRef,
            notes: want.notes === undefined ? org.notes ?? null : want.notes,
            status: want.status
          }
          const before = stored.get(path)
          const same = before !== undefined && before.orgUid === orgUid && before.orgId === org.orgId &&
            (applied === undefined || JSON.stringify(before.applied) === JSON.stringify(applied))
          return same ? [] : [{ path, orgUid, orgId: org.orgId, orgGuid: org.orgGuid, ...(applied ? { applied } : {}) }]
        })
        yield* db.saveIdentities(changed)
        yield* db.forgetIdentities([...stored.keys()].filter((path) => !fields.has(path)))
      })

    const pass = (desired: DesiredState, passOptions: PassOptions) =>
      Effect.gen(function*() {
        const startedAt = new Date()
        const runId = yield* db.runStart(passOptions.kind ?? (passOptions.dryRun ? "plan" : "apply"), passOptions.dryRun).pipe(
          Effect.mapError(fromDb)
        )
        const outcome = yield* Effect.gen(function*() {
          let applied = 0
          let failed = 0
          let drift: number | undefined
          const errors: Array<string> = []
          let previousChecksum: string | undefined
          let declined = false
          let wroteNothing = false
          for (let n = 1; ; n++) {
            const { plan, remote } = yield* round(desired, passOptions.force)
            drift ??= countDrift(plan)
            const done = passOptions.dryRun || plan.refusal !== undefined || plan.changes.length === 0
            const checksum = PlanFormat.checksum(plan)
            // No progress: the same plan again, or a round whose every write failed.
            const stuck = checksum === previousChecksum || n > maxRounds || wroteNothing
            if (!done && n === 1 && passOptions.confirm !== undefined) {
              declined = !(yield* passOptions.confirm(plan))
            }
            if (done || stuck || declined) {
              if (!passOptions.dryRun && !declined) yield* remember(desired, plan, remote).pipe(Effect.mapError(fromDb))
              if (plan.refusal !== undefined) errors.push(`refused: ${plan.refusal.message}`)
              else if (stuck && plan.changes.length > 0) {
                errors.push(...plan.changes.map((c) => `did not converge: ${c.action} ${c.path}`))
              }
              return { plan, applied, failed, drift, errors, declined }
            }
            previousChecksum = checksum
            const result = yield* Apply.execute(plan, remote, { concurrency: options.concurrency }).pipe(
              Effect.mapError(fromDb)
            )
            applied += result.applied
            failed += result.failed
            wroteNothing = result.applied === 0 && result.unknown === 0
            for (const error of result.errors) if (!errors.includes(error)) errors.push(error)
          }
        }).pipe(
          Effect.tapError((error) => db.runFinish(runId, "error", {}, [error.message]).pipe(Effect.ignore))
        )
        const pending = outcome.plan
        const converged = pending.changes.length === 0 && pending.conflicts.length === 0 &&
          pending.refusal === undefined
        const result: PassResult = {
          startedAt,
          finishedAt: new Date(),
          dryRun: passOptions.dryRun,
          pending,
          applied: outcome.applied,
          failed: outcome.failed,
          drift: outcome.drift,
          errors: [...outcome.errors, ...pending.conflicts.map((c) => `conflict: ${c.path}: ${c.message}`)],
          converged,
          declined: outcome.declined
        }
        yield* db.runFinish(
          runId,
          converged ? "converged" : pending.refusal !== undefined ? "refused" : passOptions.dryRun ? "pending" : "failed",
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
