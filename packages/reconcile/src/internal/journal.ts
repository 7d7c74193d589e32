/**
 * Settling the write journal against a fresh read of Code42: the writes a crash or an unknown outcome left
 * unsettled. Only the state database's writer does this.
 */
import { Clock, Duration, Effect } from "effect"
import type { RemoteOrg } from "../OrgApi.js"
import { type JournalEntry, StateDb } from "../StateDb.js"
import * as Awaiting from "./awaiting.js"

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

const sentAgain = (entry: JournalEntry, why: string) =>
  Effect.logInfo(`the create of ${entry.path} sent at ${entry.createdAt.toISOString()} is not listed: sent again: ${why}`)

/**
 * Resolves writes a crash or an unknown outcome left unsettled, against a fresh read: a create that did
 * happen is adopted (its identity recorded), never repeated. A create not listed is awaited (left unsettled)
 * until the listing is shown current by a later write of this pass (`known`), or `Awaiting.confirmWindow` has
 * passed since it was sent; only then is it left to the re-plan, which creates it again. A create Code42
 * answered with success is never left to the re-plan: still not listed after the window, it is settled failed
 * and named in `unlisted`. Anything else is left to the re-plan.
 */
export const settle = (remote: ReadonlyArray<RemoteOrg>, known: Awaiting.Evidence) =>
  Effect.gen(function*() {
    const db = yield* StateDb
    const entries = yield* db.unsettled
    const now = yield* Clock.currentTimeMillis
    const byUid = new Map(entries.length === 0 ? [] : remote.map((org) => [org.orgUid, org]))
    let adopted = 0
    const awaiting: Array<Awaiting.Awaiting> = []
    const unlisted: Array<{ readonly path: string; readonly message: string }> = []
    for (const entry of entries) {
      if (entry.action !== "create") {
        yield* db.journalSettle(entry.id, "reread")
        continue
      }
      const found = made(entry, remote, byUid)
      const accepted = entry.answer === "accepted"
      if (found !== undefined) {
        yield* db.saveIdentities([{ path: entry.path, orgUid: found.orgUid, orgId: found.orgId, orgGuid: found.orgGuid }])
        yield* db.journalSettle(entry.id, "adopted", { orgUid: found.orgUid })
        const after = Duration.format(Duration.millis(Math.max(0, now - entry.createdAt.getTime())))
        yield* Effect.logInfo(
          `the create of ${entry.path} sent at ${entry.createdAt.toISOString()} is confirmed by a later listing ` +
            `(${after} after it was sent): adopted as ${found.orgUid}, not created again`
        )
        adopted++
      } else if (!accepted && Awaiting.disproved(entry, known, byUid)) {
        yield* db.journalSettle(entry.id, "not-applied")
        yield* sentAgain(entry, "a create answered after it is listed and it is not")
      } else if (!Awaiting.windowPassed(entry.createdAt, now)) {
        awaiting.push({ path: entry.path, sentAt: entry.createdAt, accepted })
      } else if (accepted) {
        const message = Awaiting.unlisted(entry)
        yield* db.journalSettle(entry.id, "failed", { error: message })
        unlisted.push({ path: entry.path, message })
      } else {
        yield* db.journalSettle(entry.id, "not-applied")
        yield* sentAgain(entry, `no listing showed it in the ${Duration.format(Awaiting.confirmWindow)} since`)
      }
    }
    return { unsettled: entries.length, adopted, awaiting, unlisted }
  })
