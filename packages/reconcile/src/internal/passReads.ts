/**
 * What a pass reads before it plans (the remote tree, the orgs another writer contests, the orgs orgsync
 * manages that a listing left out), and how what goes wrong in it is told: a pass that could not run.
 */
import type { Code42Error } from "@c42/core"
import { Clock, Data, Duration, Effect } from "effect"
import * as Apply from "../Apply.js"
import * as Contest from "../Contest.js"
import type { RemoteOrg } from "../OrgApi.js"
import type { Plan } from "../Plan.js"
import * as RemoteTree from "../RemoteTree.js"
import { type Reader, type StateDb, StateReader, type StateDbError, type StoredIdentity } from "../StateDb.js"
import * as Awaiting from "./awaiting.js"
import * as Vanished from "./vanished.js"

/** A pass that could not run: `transient` ones (Code42 unreachable, rate limited) are retried with back-off. */
export class ReconcileError extends Data.TaggedError("ReconcileError")<{
  readonly message: string
  readonly transient: boolean
  readonly cause?: unknown
}> {}

export const fromClient = (error: Code42Error.Code42Error) =>
  new ReconcileError({ message: `cannot read Code42: ${error.message}`, transient: Apply.isTransient(error), cause: error })

export const fromDb = (error: StateDbError) => new ReconcileError({ message: error.message, transient: false, cause: error })

export const readRemote = RemoteTree.read.pipe(
  Effect.mapError((e) =>
    e._tag === "InconsistentTree" ? new ReconcileError({ message: e.message, transient: true, cause: e }) : fromClient(e)
  )
)

/**
 * The orgs another writer contests, as a read-only look sees them: those flipped in enough recorded runs,
 * counting the values found changed back now as one run more, without recording anything.
 */
export const contestedNow = (remote: ReadonlyArray<RemoteOrg>) =>
  Effect.gen(function*() {
    const db = yield* StateReader
    const last = yield* db.recentRuns(1)
    const since = (last[0]?.id ?? 0) + 1 - Contest.window
    const reverted = new Set(Contest.reverted(yield* db.history.standing, remote).map((w) => w.orgUid))
    const once = reverted.size === 0 ? [] : yield* db.history.contested(since, Contest.flipsToContest - 1)
    const already = yield* db.history.contested(since, Contest.flipsToContest)
    return new Set([...already, ...once.filter((uid) => reverted.has(uid))])
  })

/**
 * Refuses a listing that left out orgs orgsync manages (Code42 never deletes one, so it is short and a plan
 * from it would create them again), unless forced; before anything is settled or recorded from it. An org whose
 * create Code42 answered with it less than `Awaiting.confirmWindow` ago is not missing: Code42 lists a new org
 * only seconds after its create. It is awaited (returned), like a create of unknown outcome, even when forced.
 */
export const refuseShort = (
  db: Reader,
  identities: ReadonlyArray<StoredIdentity>,
  remote: ReadonlyArray<RemoteOrg>,
  force: boolean
) =>
  Effect.gen(function*() {
    const unlisted = Vanished.missing(identities, remote)
    if (unlisted.length === 0) return []
    const now = yield* Clock.currentTimeMillis
    const since = new Date(now - Duration.toMillis(Awaiting.confirmWindow))
    const made = new Map(
      (yield* db.journalSince(since).pipe(Effect.mapError(fromDb)))
        .filter((entry) => entry.action === "create" && entry.outcome === "done" && entry.resultOrgUid !== null)
        .map((entry) => [entry.resultOrgUid, entry])
    )
    const awaiting: Array<Awaiting.Awaiting> = []
    const gone: Array<StoredIdentity> = []
    for (const identity of unlisted) {
      const entry = made.get(identity.orgUid)
      if (entry === undefined || Awaiting.windowPassed(entry.createdAt, now)) gone.push(identity)
      else awaiting.push({ path: identity.path, sentAt: entry.createdAt, accepted: true, orgUid: identity.orgUid })
    }
    if (gone.length > 0 && force) yield* Effect.logWarning(`accepted with --force: ${Vanished.describe(gone)}`)
    else if (gone.length > 0) {
      return yield* Effect.fail(new ReconcileError({ message: Vanished.describe(gone), transient: true }))
    }
    return awaiting
  })

/**
 * Another writer, as one pass sees it: the values orgsync wrote that are found changed back are counted as
 * flips once, at the pass's first read; the changes to contested orgs are withheld from every plan.
 */
export const contestIn = (db: StateDb["Type"], runId: number) => {
  let contested: Set<string> | undefined
  return (remote: ReadonlyArray<RemoteOrg>, plan: Plan) =>
    Effect.gen(function*() {
      if (contested === undefined) {
        const reverted = Contest.reverted(yield* db.history.standing, remote)
        yield* db.history.flipped(runId, reverted)
        contested = new Set(yield* db.history.contested(runId - Contest.window, Contest.flipsToContest))
      }
      const { plan: withheld, settled } = Contest.withhold(plan, contested)
      yield* db.history.settle(settled)
      for (const uid of settled) contested.delete(uid)
      return withheld
    }).pipe(Effect.mapError(fromDb))
}
