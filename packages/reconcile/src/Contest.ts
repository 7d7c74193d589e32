/**
 * Another writer: orgsync cannot lock Code42, so it watches what it wrote. A value orgsync wrote that is found
 * changed back at a later pass is a flip; an org flipped twice within `window` runs is contested, and orgsync
 * stops writing to it (a `contested` conflict) until the files and Code42 agree on it again. One writer per
 * tenant: two orgsync instances (or a script) fighting over an org end in a conflict, not in endless writes.
 */
import type { RemoteOrg } from "./OrgApi.js"
import type { Change, Conflict, Plan } from "./Plan.js"
import { statusOf } from "./RemoteTree.js"

export type Field = "status" | "name" | "extRef" | "notes"

/** A value orgsync wrote to an org. */
export interface Written {
  readonly orgUid: string
  readonly field: Field
  readonly value: string | null
}

/** Flips within this many runs count towards contesting an org. */
export const window = 20

/** Flips within the window from which an org is contested. */
export const flipsToContest = 2

const current = (org: RemoteOrg, field: Field): string | null =>
  field === "status"
    ? statusOf(org)
    : field === "name"
    ? org.orgName
    : field === "extRef"
    ? org.orgExtRef || null
    : org.notes || null

/** The values a successful change wrote; a create writes an active org. */
export const writtenBy = (change: Change, org: { readonly orgUid: string }): ReadonlyArray<Written> => {
  switch (change.action) {
    case "create":
      return [{ orgUid: org.orgUid, field: "status", value: "active" }]
    case "update":
      return (["name", "extRef", "notes"] as const).flatMap((field) =>
        change.after !== null && field in change.after
          ? [{ orgUid: org.orgUid, field, value: change.after[field] || null }]
          : []
      )
    default:
      return change.after?.status === undefined
        ? []
        : [{ orgUid: org.orgUid, field: "status", value: change.after.status }]
  }
}

/** The values orgsync wrote that Code42 no longer holds; an org that is gone is not a flip. */
export const reverted = (
  written: ReadonlyArray<Written>,
  remote: ReadonlyArray<RemoteOrg>
): ReadonlyArray<Written> => {
  const byUid = new Map(remote.map((org) => [org.orgUid, org]))
  return written.filter((record) => {
    const org = byUid.get(record.orgUid)
    return org !== undefined && current(org, record.field) !== record.value
  })
}

/** What `withhold` did to a plan. */
export interface Withheld {
  readonly plan: Plan
  /** Contested orgs the plan has nothing to do for any more: the writers agree, the contest is over. */
  readonly settled: ReadonlyArray<string>
}

/**
 * Takes the changes to contested orgs out of the plan, with one `contested` conflict for each such org. A
 * contested org the plan leaves alone anyway is settled.
 */
export const withhold = (plan: Plan, contested: ReadonlySet<string>): Withheld => {
  if (contested.size === 0) return { plan, settled: [] }
  const held = new Map<string, Array<Change>>()
  const changes = plan.changes.filter((change) => {
    if (change.orgUid === null || !contested.has(change.orgUid)) return true
    const list = held.get(change.orgUid)
    if (list === undefined) held.set(change.orgUid, [change])
    else list.push(change)
    return false
  })
  const conflicts: ReadonlyArray<Conflict> = [...held.values()].map((list) => ({
    kind: "contested",
    path: list[0]!.path,
    message: `${list[0]!.path} was changed back twice after orgsync wrote it: another writer manages it too. ` +
      `orgsync stops writing to it (${list.map((change) => change.action).join(", ")} withheld) until the ` +
      "desired files and Code42 agree; keep one writer per tenant.",
    orgUids: [list[0]!.orgUid!]
  }))
  return {
    plan: conflicts.length === 0 ? plan : { ...plan, changes, conflicts: [...plan.conflicts, ...conflicts] },
    settled: [...contested].filter((uid) => !held.has(uid))
  }
}
