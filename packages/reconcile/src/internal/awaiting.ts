/**
 * Creates whose outcome is open (their answer lost, a 5xx after they were sent, or a success without the org
 * they made) that a re-read does not list: Code42's listings may show a new org only seconds after its create,
 * so such a create is awaited, not sent again, until the listing is shown current or `confirmWindow` has passed.
 */
import { Duration } from "effect"
import type { RemoteOrg } from "../OrgApi.js"
import { type Change, type Plan, restricts } from "../Plan.js"
import type { JournalEntry } from "../StateDb.js"

/**
 * How long after a create of unknown outcome a listing that does not show it is taken as proof that it did
 * not happen: Code42's listings have been seen to lag their writes by up to 15 s.
 */
export const confirmWindow: Duration.Duration = Duration.seconds(15)

/** When the listing is read again after such a create was sent, at growing intervals (1, 2, 4, 8 s). */
const rereadsAfter = [1, 3, 7, 15].map((seconds) => seconds * 1000)

/** A create not listed yet, its outcome open. */
export interface Awaiting {
  readonly path: string
  readonly sentAt: Date
  /** Code42 answered it with success (without the org): it is never sent again. */
  readonly accepted: boolean
  /** Code42 answered it with the org it made, recorded as orgsync's: the listing does not show that org yet. */
  readonly orgUid?: string | undefined
}

/** A write of this pass answered with success, and what a listing shows of it. */
export interface Confirmed {
  readonly change: Change
  readonly orgUid: string
  /** Its place in the order the pass's answers came in (`answered`). */
  readonly answered: number
}

/**
 * What this pass knows of its own writes: when each create of unknown outcome was answered 5xx (its place in
 * the order of answers, by journal id), and the writes answered with success. A later create's org in a listing
 * shows the listing current. Answers are ordered by count, not by clock: two may come in one millisecond.
 */
export interface Evidence {
  /** The answers counted so far. */
  answered: number
  readonly serverErrors: Map<number, number>
  readonly confirmed: Array<Confirmed>
}

export const evidence = (): Evidence => ({ answered: 0, serverErrors: new Map(), confirmed: [] })

/**
 * Whether `remote` proves that a create answered 5xx did not happen: it lists an org made by another create of
 * this pass answered with success after that 5xx. Only a create shows that the listing has caught up with new
 * orgs: a change to an org already listed shows at once, whether or not new orgs lag. A lost answer gives no such
 * proof: the server may still be processing it.
 */
export const disproved = (
  entry: JournalEntry,
  known: Evidence,
  byUid: ReadonlyMap<string, RemoteOrg>
): boolean => {
  const answered = known.serverErrors.get(entry.id)
  return answered !== undefined &&
    known.confirmed.some((write) =>
      write.change.action === "create" && write.answered > answered && byUid.has(write.orgUid)
    )
}

/** Whether the confirmation window of a create sent at `sentAt` has passed at `now`. */
export const windowPassed = (sentAt: Date, now: number) => now >= sentAt.getTime() + Duration.toMillis(confirmWindow)

/** How long until the next re-read one of the creates awaited is due. */
export const untilNextReread = (awaiting: ReadonlyArray<Awaiting>, now: number): Duration.Duration => {
  const due = awaiting.flatMap((a) => rereadsAfter.map((after) => a.sentAt.getTime() + after)).filter((at) => at > now)
  if (due.length === 0) return Duration.zero
  // Creates sent moments apart are read again together: one re-read serves all those due within a second.
  const first = Math.min(...due)
  return Duration.millis(Math.max(...due.filter((at) => at <= first + 1000)) - now)
}

const isUnder = (path: string, ancestor: string) => path === ancestor || path.startsWith(`${ancestor}/`)

/**
 * The plan without what waits on a create awaited: the create itself, every change at or below its path, and
 * a block or deactivation above it (it would shut the door on the create).
 */
export const withhold = (plan: Plan, paths: ReadonlyArray<string>): Plan =>
  paths.length === 0 ? plan : {
    ...plan,
    changes: plan.changes.filter((change) =>
      !paths.some((path) => isUnder(change.path, path) || (restricts(change) && isUnder(path, change.path)))
    )
  }

/** What a pass that ends with a create still awaited says of it. */
export const describe = (a: Awaiting): string =>
  a.orgUid !== undefined
    ? `the create of ${a.path} sent at ${a.sentAt.toISOString()} made ${a.orgUid}, which Code42 does not list yet: ` +
      "it is not created again; run again to wait for it."
    : a.accepted
    ? `the create of ${a.path} sent at ${a.sentAt.toISOString()} was answered with success without the org, ` +
      "and Code42 does not list it yet: it is not created again; run again to wait for it."
    : `outcome unknown: the create of ${a.path} sent at ${a.sentAt.toISOString()} is not listed by Code42 yet: ` +
      `it is created again only if no listing shows it ${Duration.format(confirmWindow)} after it was sent; ` +
      "run again to wait for it."

/** What a pass says of a create answered with success that Code42 still does not list after the window. */
export const unlisted = (entry: JournalEntry): string =>
  `Code42 answered the create of ${entry.path} (sent at ${entry.createdAt.toISOString()}) with success but does ` +
  `not list the org ${Duration.format(confirmWindow)} later: orgsync does not create it again; check Code42.`
