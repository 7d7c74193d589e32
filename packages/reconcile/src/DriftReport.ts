/**
 * Drift in detail: for every org changed in Code42 by hand, which field, the value orgsync applied and the
 * value Code42 holds now, and when it was first seen. Read off the plan's changes of cause `drift` (a drift
 * change goes from what Code42 holds back to what orgsync applied, which the files still ask for).
 */
import type { Change, Fields } from "./Plan.js"

export type Field = "name" | "extRef" | "notes" | "status"

export interface Detail {
  readonly path: string
  readonly orgUid: string
  readonly field: Field
  /**
   * What orgsync applied (and the files still ask for); absent for a field orgsync never wrote at that value
   * (the org was found as the files ask), once the run history has told (`DriftHistory.record`).
   */
  readonly applied?: string | null
  /** What Code42 holds now. */
  readonly current: string | null
  /** When this drift was first seen (the same field found at the same value since). */
  readonly seenAt: Date
}

const fields: ReadonlyArray<Field> = ["name", "extRef", "notes", "status"]

const value = (from: Fields | null, field: Field): string | null => from?.[field] ?? null

/** The drifted fields of the plan's drift changes, seen at `at`. */
export const details = (changes: ReadonlyArray<Change>, at: Date): ReadonlyArray<Detail> =>
  changes.flatMap((change) =>
    change.cause !== "drift" || change.orgUid === null ? [] : fields
      .filter((field) => change.after !== null && field in change.after)
      .map((field): Detail => ({
        path: change.path,
        orgUid: change.orgUid!,
        field,
        applied: value(change.after, field),
        current: value(change.before, field),
        seenAt: at
      }))
  )

const key = (detail: Pick<Detail, "orgUid" | "field" | "current">) =>
  `${detail.orgUid}\u0000${detail.field}\u0000${detail.current ?? "\u0001"}`

/**
 * Keeps the earlier `seenAt` of drift seen before at the same value: a hand change left in place (drift:
 * report) is as old as its first sighting, not as the last pass.
 */
export const since = (
  found: ReadonlyArray<Detail>,
  before: ReadonlyArray<Pick<Detail, "orgUid" | "field" | "current" | "seenAt">>
): ReadonlyArray<Detail> => {
  const earlier = new Map(before.map((detail) => [key(detail), detail.seenAt]))
  return found.map((detail) => {
    const seen = earlier.get(key(detail))
    return seen !== undefined && seen < detail.seenAt ? { ...detail, seenAt: seen } : detail
  })
}
