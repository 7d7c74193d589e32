/**
 * Settling the write journal against a fresh read of Code42: the writes a crash or an unknown outcome left
 * unsettled. Only the state database's writer does this.
 */
import { Effect } from "effect"
import type { RemoteOrg } from "../OrgApi.js"
import { StateDb } from "../StateDb.js"

/**
 * Resolves writes a crash or an unknown outcome left unsettled, against a fresh read: a create that did
 * happen is adopted (its identity recorded), never repeated; anything else is left to the re-plan.
 */
export const settle = (remote: ReadonlyArray<RemoteOrg>) =>
  Effect.gen(function*() {
    const db = yield* StateDb
    const entries = yield* db.unsettled
    const byUid = new Map(entries.length === 0 ? [] : remote.map((org) => [org.orgUid, org]))
    let adopted = 0
    for (const entry of entries) {
      if (entry.action !== "create") {
        yield* db.journalSettle(entry.id, "reread")
        continue
      }
      // The entry may have been written under another API family: its parent and the orgs that were there
      // before are matched by uid or guid, both.
      const preexisting = new Set(entry.preexisting)
      const found = remote.find((org) => {
        const parent = org.parentOrgUid === null || org.parentOrgUid === undefined ? undefined : byUid.get(org.parentOrgUid)
        return org.orgName === entry.orgName &&
          (org.parentOrgUid === entry.parentOrgUid || (parent?.orgGuid !== undefined && parent.orgGuid === entry.parentOrgUid)) &&
          !preexisting.has(org.orgUid) && (org.orgGuid === undefined || !preexisting.has(org.orgGuid))
      })
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
