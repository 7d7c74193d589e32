/**
 * Settling the write journal against a fresh read of Code42: the writes a crash or an unknown outcome left
 * unsettled. Only the state database's writer does this.
 */
import { Clock, Duration, Effect } from "effect"
import type { RemoteOrg } from "../OrgApi.js"
import type { Conflict, Plan } from "../PlanModel.js"
import { type JournalEntry, StateDb } from "../StateDb.js"

/**
 * How long after a create whose outcome is unknown a listing that does not show it is taken as proof that it
 * did not happen: Code42's listings may lag its writes by seconds, so an earlier re-read proves nothing.
 */
export const confirmAfter: Duration.Duration = Duration.seconds(60)

/** A create whose outcome is unknown, not listed yet: it is not sent again before `retryAt`. */
export interface Awaiting {
  readonly path: string
  readonly sentAt: Date
  readonly retryAt: Date
}

/** The org a journaled create made, if this read lists it. */
const made = (entry: JournalEntry, remote: ReadonlyArray<RemoteOrg>, byUid: ReadonlyMap<string, RemoteOrg>) => {
  // The entry may have been written under another API family: its parent and the orgs that were there
  // before are matched by uid or guid, both.
  const preexisting = new Set(entry.preexisting)
  return remote.find((org) => {
    const parent = org.parentOrgUid === null || org.parentOrgUid === undefined ? undefined : byUid.get(org.parentOrgUid)
    return org.orgName === entry.orgName &&
      (org.parentOrgUid === entry.parentOrgUid || (parent?.orgGuid !== undefined && parent.orgGuid === entry.parentOrgUid)) &&
      !preexisting.has(org.orgUid) && (org.orgGuid === undefined || !preexisting.has(org.orgGuid))
  })
}

/**
 * Sorts unsettled writes against a read made at `now`: each create is found (made), awaited (not listed yet,
 * too soon after it was sent to say), or not made (still not listed `confirmAfter` after it was sent).
 */
export const sort = (entries: ReadonlyArray<JournalEntry>, remote: ReadonlyArray<RemoteOrg>, now: number) => {
  const byUid = new Map(entries.length === 0 ? [] : remote.map((org) => [org.orgUid, org]))
  return entries.map((entry) => {
    if (entry.action !== "create") return { entry, _tag: "Other" as const }
    const found = made(entry, remote, byUid)
    if (found !== undefined) return { entry, _tag: "Made" as const, org: found }
    const retryAt = entry.createdAt.getTime() + Duration.toMillis(confirmAfter)
    return retryAt > now
      ? { entry, _tag: "Awaited" as const, awaiting: { path: entry.path, sentAt: entry.createdAt, retryAt: new Date(retryAt) } }
      : { entry, _tag: "NotMade" as const }
  })
}

/**
 * Resolves writes a crash or an unknown outcome left unsettled, against a fresh read: a create that did
 * happen is adopted (its identity recorded), never repeated; a create not listed yet stays unsettled and is
 * awaited until `confirmAfter` has passed; anything else is left to the re-plan.
 */
export const settle = (remote: ReadonlyArray<RemoteOrg>) =>
  Effect.gen(function*() {
    const db = yield* StateDb
    const entries = yield* db.unsettled
    const now = yield* Clock.currentTimeMillis
    let adopted = 0
    const awaiting: Array<Awaiting> = []
    for (const sorted of sort(entries, remote, now)) {
      const { entry } = sorted
      switch (sorted._tag) {
        case "Other":
          yield* db.journalSettle(entry.id, "reread")
          break
        case "NotMade":
          yield* db.journalSettle(entry.id, "not-applied")
          break
        case "Awaited":
          awaiting.push(sorted.awaiting)
          break
        case "Made": {
          const { org } = sorted
          yield* db.saveIdentities([{ path: entry.path, orgUid: org.orgUid, orgId: org.orgId, orgGuid: org.orgGuid }])
          yield* db.journalSettle(entry.id, "adopted", { orgUid: org.orgUid })
          adopted++
        }
      }
    }
    return { unsettled: entries.length, adopted, awaiting }
  })

/** The creates still awaited, as a read-only look sees them (nothing settled). */
export const awaited = (entries: ReadonlyArray<JournalEntry>, remote: ReadonlyArray<RemoteOrg>, now: number) =>
  sort(entries, remote, now).flatMap((sorted) => sorted._tag === "Awaited" ? [sorted.awaiting] : [])

const isUnder = (path: string, ancestor: string) => path === ancestor || path.startsWith(`${ancestor}/`)

/** The sentence that says what is awaited and when orgsync would create it again. */
export const describe = (awaiting: Awaiting): string =>
  `the create of ${awaiting.path} sent at ${awaiting.sentAt.toISOString()} has an unknown outcome and Code42 ` +
  `does not list it yet: orgsync does not create it again before ${awaiting.retryAt.toISOString()}, and then ` +
  "only if Code42 still does not list it; run again after that time."

/**
 * Takes out of the plan the creates awaited and every change below them, with one `outcome-unknown` conflict
 * for each: they are neither sent again nor done.
 */
export const withhold = (plan: Plan, awaiting: ReadonlyArray<Awaiting>): Plan => {
  if (awaiting.length === 0) return plan
  const changes = plan.changes.filter((change) => !awaiting.some((a) => isUnder(change.path, a.path)))
  const conflicts: ReadonlyArray<Conflict> = awaiting.map((a) => ({
    kind: "outcome-unknown",
    path: a.path,
    message: describe(a),
    orgUids: []
  }))
  return { ...plan, changes, conflicts: [...plan.conflicts, ...conflicts] }
}
