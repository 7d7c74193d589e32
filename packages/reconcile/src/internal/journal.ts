/**
 * Settling the write journal against a fresh read of Code42: the writes a crash or an unknown outcome left
 * unsettled. Only the state database's writer does this.
 */
import { Clock, Duration, Effect } from "effect"
import type { RemoteOrg } from "../OrgApi.js"
import { type JournalEntry, StateDb, type StoredIdentity } from "../StateDb.js"
import * as Awaiting from "./awaiting.js"

/** The orgs a journaled create may have made, as this read lists them. */
const made = (entry: JournalEntry, remote: ReadonlyArray<RemoteOrg>, byUid: ReadonlyMap<string, RemoteOrg>) => {
  // The entry may have been written under another API family: its parent and the orgs that were there
  // before are matched by uid or guid, both.
  const preexisting = new Set(entry.preexisting)
  return remote.filter((org) => {
    const parent = org.parentOrgUid === null || org.parentOrgUid === undefined ? undefined : byUid.get(org.parentOrgUid)
    return org.orgName === entry.orgName &&
      (org.parentOrgUid === entry.parentOrgUid || (parent?.orgGuid !== undefined && parent.orgGuid === entry.parentOrgUid)) &&
      !preexisting.has(org.orgUid) && (org.orgGuid === undefined || !preexisting.has(org.orgGuid))
  })
}

/** Whether `org` is the one `identity` records, under its uid or its guid. */
const recorded = (identity: StoredIdentity, org: RemoteOrg) =>
  org.orgUid === identity.orgUid || (identity.orgGuid !== undefined && org.orgGuid === identity.orgGuid)

const sentAgain = (entry: JournalEntry, why: string) =>
  Effect.logInfo(`the create of ${entry.path} sent at ${entry.createdAt.toISOString()} is not listed: sent again: ${why}`)

/**
 * Resolves writes a crash or an unknown outcome left unsettled, against a fresh read: a create that did
 * happen is adopted (its identity recorded), never repeated. A create not listed is awaited (left unsettled)
 * until the listing is shown current by a later create of this pass (`known`), or `Awaiting.confirmWindow` has
 * passed since it was sent; then the re-plan creates it again, and it stays open beside the create sent again.
 * A create Code42 answered with success is never left to the re-plan: still not listed after the window, it is
 * settled failed and named in `unlisted`. Of a path created twice, a listing showing one org settles only the
 * first create: the other stays open (`mayAppear`) until `Awaiting.resendWindow` has passed since it was sent,
 * and a second org it made is adopted as orgsync's own twin (`twins`, by path), never as the path's org.
 * `identities` are the identities recorded: the org of a path adopted earlier is not taken for a later create.
 */
export const settle = (
  remote: ReadonlyArray<RemoteOrg>,
  known: Awaiting.Evidence,
  identities: ReadonlyArray<StoredIdentity>
) =>
  Effect.gen(function*() {
    const db = yield* StateDb
    const entries = yield* db.unsettled
    const now = yield* Clock.currentTimeMillis
    const byUid = new Map(entries.length === 0 ? [] : remote.map((org) => [org.orgUid, org]))
    let adopted = 0
    const awaiting: Array<Awaiting.Awaiting> = []
    const unlisted: Array<{ readonly path: string; readonly message: string }> = []
    const mayAppear: Array<string> = []
    const twins = new Map<string, string>()
    const adopt = (entry: JournalEntry, found: RemoteOrg, owned: boolean) =>
      Effect.gen(function*() {
        if (!owned) {
          yield* db.saveIdentities([{ path: entry.path, orgUid: found.orgUid, orgId: found.orgId, orgGuid: found.orgGuid }])
        }
        yield* db.journalSettle(entry.id, "adopted", { orgUid: found.orgUid })
        const after = Duration.format(Duration.millis(Math.max(0, now - entry.createdAt.getTime())))
        yield* Effect.logInfo(
          `the create of ${entry.path} sent at ${entry.createdAt.toISOString()} is confirmed by a later listing ` +
            `(${after} after it was sent): adopted as ${found.orgUid}${owned ? ", a twin" : ""}, not created again`
        )
        adopted++
      })
    const creates = new Map<string, Array<JournalEntry>>()
    for (const entry of entries) {
      if (entry.action === "create") creates.set(entry.path, [...creates.get(entry.path) ?? [], entry])
      else yield* db.journalSettle(entry.id, "reread")
    }
    for (const [path, group] of creates) {
      const first = group[0]!
      const last = group[group.length - 1]!
      const identity = group.length === 1 ? identities.find((i) => i.path === path) : undefined
      // The path's org, adopted from an earlier create of it: the open create was sent again.
      const owner = identity === undefined ? undefined : remote.find((org) => recorded(identity, org))
      const found = made(first, remote, byUid).filter((org) => org !== owner)
      const resent = group.length > 1 || owner !== undefined
      const accepted = first.answer === "accepted"
      const listed = Math.min(group.length, found.length)
      for (let i = 0; i < listed; i++) {
        const twin = owner !== undefined || i > 0
        yield* adopt(group[i]!, found[i]!, twin)
        if (twin) twins.set(path, Awaiting.twin(group[i]!, found[i]!.orgUid))
      }
      const open = group.slice(listed)
      if (open.length === 0) continue
      if (resent && (listed > 0 || owner !== undefined)) {
        if (!Awaiting.resendPassed(last.createdAt, now)) {
          mayAppear.push(Awaiting.mayAppear(open[open.length - 1]!))
          continue
        }
        for (const entry of open) {
          yield* db.journalSettle(entry.id, "not-applied")
          yield* Effect.logInfo(
            `the create of ${path} sent again at ${entry.createdAt.toISOString()} made no second org: ` +
              `none is listed ${Duration.format(Awaiting.resendWindow)} after it was sent`
          )
        }
      } else if (resent) {
        if (!Awaiting.windowPassed(last.createdAt, now)) {
          awaiting.push({ path, sentAt: last.createdAt, accepted: false })
          continue
        }
        const message = Awaiting.sentTwiceUnlisted(first, last)
        for (const entry of group) yield* db.journalSettle(entry.id, "failed", { error: message })
        unlisted.push({ path, message })
      } else if (!accepted && Awaiting.disproved(first, known, byUid)) {
        yield* db.journalSettle(first.id, "not-applied")
        yield* sentAgain(first, "a create answered after it is listed and it is not")
      } else if (!Awaiting.windowPassed(first.createdAt, now)) {
        awaiting.push({ path, sentAt: first.createdAt, accepted })
      } else if (accepted) {
        const message = Awaiting.unlisted(first)
        yield* db.journalSettle(first.id, "failed", { error: message })
        unlisted.push({ path, message })
      } else if (!Awaiting.resendPassed(first.createdAt, now)) {
        // Left open beside the create the re-plan sends again.
        yield* sentAgain(first, `no listing showed it in the ${Duration.format(Awaiting.confirmWindow)} since`)
      } else {
        yield* db.journalSettle(first.id, "not-applied")
      }
    }
    const open = new Set((yield* db.unsettled).map((entry) => entry.path))
    return { unsettled: entries.length, adopted, awaiting, unlisted, mayAppear, twins, open }
  })
