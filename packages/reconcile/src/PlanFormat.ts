/**
 * The plan for people and for programs: a terminal rendering and the `plan --format json` document, which
 * carries the plan's checksum (PlanChecksum; the pull-request comment is PlanMarkdown). Each shows apart the
 * changes the policy keeps back (`Policy.gate`: drift reported under `drift: report`, destructive changes under
 * `destructive: never`): they are planned, and covered by the checksum, but not made.
 */
import { type Action, type Change, converged, type Fields, type Plan } from "./Plan.js"
import { checksum, formatVersion } from "./PlanChecksum.js"
import * as Policy from "./Policy.js"
import { printable, quote } from "./Printable.js"

/** The plan without the changes the policy keeps back: what applying it would make. */
export const toMake = (plan: Plan, kept: ReadonlyArray<Policy.Kept>): Plan => {
  if (kept.length === 0) return plan
  const keptBack = new Set(kept.map((k) => k.change))
  return { ...plan, changes: plan.changes.filter((change) => !keptBack.has(change)) }
}

/** The counts every format leads with. */
export interface Summary {
  readonly create: number
  readonly update: number
  readonly block: number
  readonly unblock: number
  readonly deactivate: number
  readonly reactivate: number
  readonly conflicts: number
  readonly unmanaged: number
}

export const summary = (plan: Plan): Summary => {
  const count = (action: Action) => plan.changes.filter((change) => change.action === action).length
  return {
    create: count("create"),
    update: count("update"),
    block: count("block"),
    unblock: count("unblock"),
    deactivate: count("deactivate"),
    reactivate: count("reactivate"),
    conflicts: plan.conflicts.length,
    unmanaged: plan.unmanaged.length
  }
}

/** The word for `n` things: `one` for one, `many` (by default `one` and an "s") for any other count. */
export const noun = (n: number, one: string, many = `${one}s`): string => n === 1 ? one : many

/** `1 org`, `3 orgs`, `2 failed passes` (with `many` given). */
export const plural = (n: number, one: string, many?: string): string => `${n} ${noun(n, one, many)}`

/** `1 drift reported, 2 not applied (destructive: never)`: the changes kept back, by why. */
export const keptLine = (kept: ReadonlyArray<Policy.Kept>): string => {
  const count = (reasons: ReadonlyArray<Policy.Reason>) => kept.filter((k) => reasons.includes(k.reason)).length
  return [
    [count(["drift"]), "drift reported (drift: report), not reverted"],
    [count(["never"]), "not applied (destructive: never)"],
    [count(["awaiting-approval", "rejected"]), "held for approval"]
  ].filter(([n]) => n !== 0).map(([n, what]) => `${n} ${what}`).join(", ")
}

/** The summary of what applying `plan` would make, and of what the policy keeps back (`kept`). */
export const summaryLine = (plan: Plan, kept: ReadonlyArray<Policy.Kept> = []): string => {
  const made = toMake(plan, kept)
  const s = summary(made)
  const keptBack = kept.length === 0 ? "" : ` Kept back: ${keptLine(kept)}.`
  return converged(made) && kept.length === 0
    ? `No changes. The tree matches the desired state.${s.unmanaged > 0 ? ` ${s.unmanaged} unmanaged.` : ""}`
    : converged(made)
    ? `No changes to make.${keptBack}${s.unmanaged > 0 ? ` ${s.unmanaged} unmanaged.` : ""}`
    : `Plan: ${s.create} to create, ${s.update} to update, ${s.block} to block, ${s.unblock} to unblock, ` +
      `${s.deactivate} to deactivate, ${s.reactivate} to reactivate; ${plural(s.conflicts, "conflict")}, ` +
      `${s.unmanaged} unmanaged.${keptBack}`
}

export const markers: Record<Action, string> = {
  create: "+",
  update: "~",
  unblock: "^",
  reactivate: "^",
  block: "-",
  deactivate: "-"
}

/** What a row of the terminal rendering tells (`alert`: a refusal or a conflict), for a terminal to colour it by. */
export type Tone = "add" | "change" | "remove" | "alert"

const tones: Record<Action, Tone> = {
  create: "add",
  update: "change",
  unblock: "change",
  reactivate: "change",
  block: "remove",
  deactivate: "remove"
}

/** Marks the head of a row by its tone (escape codes on a terminal); plain text by default. */
export type Paint = (tone: Tone, text: string) => string

const plain: Paint = (_, text) => text

const value = (field: string | null | undefined): string => field == null ? "null" : quote(field)

const fieldNames = ["name", "extRef", "notes", "status"] as const

/**
 * `name: "Eng" → "Engineering"`, `active → blocked`, `name: "Tools", extRef: "T-1"`; as it is, for each format to
 * escape (`Printable.printable` after its own markup).
 */
export const describeChange = (change: Change): string => {
  const before: Fields = change.before ?? {}
  const after: Fields = change.after ?? {}
  const parts = fieldNames.filter((key) => key in before || key in after).map((key) =>
    key === "status"
      ? `${before.status} → ${after.status}`
      : change.before === null
      ? `${key}: ${value(after[key])}`
      : `${key}: ${value(before[key])} → ${value(after[key])}`
  )
  if (change.cascadesTo.length > 0) parts.push(`cascades to ${plural(change.cascadesTo.length, "org")}`)
  return parts.join(", ")
}

/** A whole tenant can be unmanaged: a terminal shows the first ones (changes are always shown in full). */
const unmanagedShown = 50

/**
 * A terminal rendering: a refusal first (it decides what happens to everything below), then one line per
 * change, the changes the policy keeps back (`kept`), conflicts, unmanaged orgs and the summary.
 */
export const text = (plan: Plan, paint: Paint = plain, kept: ReadonlyArray<Policy.Kept> = []): string => {
  // The padding stays outside the paint, so that a coloured row lines up as a plain one does.
  const head = (tone: Tone, mark: string, word: string, width: number) =>
    `${paint(tone, `${mark} ${word}`)}${" ".repeat(Math.max(0, width - word.length))}`
  const lines: Array<string> = []
  if (plan.refusal !== undefined) {
    lines.push(`${paint("alert", `Refused (${plan.refusal.reason})`)}: ${printable(plan.refusal.message)}`, "")
  }
  const row = (change: Change, note: string) => {
    const marker = head(tones[change.action], markers[change.action], change.action, 10)
    return `  ${marker} ${printable(change.path)}  ${printable(describeChange(change))}${note}`
  }
  const made = toMake(plan, kept)
  if (made.changes.length > 0) {
    lines.push("Changes:")
    for (const change of made.changes) lines.push(row(change, change.cause === "drift" ? " (drift)" : ""))
    lines.push("")
  }
  if (kept.length > 0) {
    lines.push("Kept back by the policy (not made):")
    for (const k of kept) lines.push(row(k.change, ` (${Policy.keptNote(k)})`))
    lines.push("")
  }
  if (plan.conflicts.length > 0) {
    lines.push("Conflicts (nothing is done for these orgs):")
    for (const conflict of plan.conflicts) {
      const kind = head("alert", "!", conflict.kind, 18)
      lines.push(`  ${kind} ${printable(conflict.path)}: ${printable(conflict.message)}`)
    }
    lines.push("")
  }
  if (plan.unmanaged.length > 0) {
    lines.push("Unmanaged (in Code42 under the root, in no desired file):")
    for (const org of plan.unmanaged.slice(0, unmanagedShown)) {
      lines.push(`  ? ${printable(org.path)} (${org.status}${org.action === "deactivate" ? ", pruned" : ""})`)
    }
    if (plan.unmanaged.length > unmanagedShown) {
      lines.push(`  ... and ${plan.unmanaged.length - unmanagedShown} more (--format json lists every one)`)
    }
    lines.push("")
  }
  lines.push(summaryLine(plan, kept))
  return lines.join("\n") + "\n"
}

/** A change as `plan --format json` and `/api/status` show it. */
export const changeJson = (change: Change) => ({
  action: change.action,
  path: change.path,
  orgUid: change.orgUid,
  before: change.before,
  after: change.after,
  cascadesTo: change.cascadesTo,
  cause: change.cause
})

/**
 * The `plan --format json` document (design.md "The CLI"): `summary` and `changes` are what applying it would
 * make; the changes the policy keeps back are listed under `kept`, each with its `reason` (`drift`, `never`),
 * when there are any. The checksum covers every planned change, kept or not, as apply computes it.
 */
export const json = (plan: Plan, kept: ReadonlyArray<Policy.Kept> = []): string =>
  JSON.stringify(
    {
      formatVersion,
      ...(plan.refusal === undefined
        ? {}
        : { refusal: { reason: plan.refusal.reason, message: plan.refusal.message } }),
      summary: summary(toMake(plan, kept)),
      changes: toMake(plan, kept).changes.map(changeJson),
      ...(kept.length === 0 ? {} : { kept: kept.map((k) => ({ ...changeJson(k.change), reason: k.reason })) }),
      conflicts: plan.conflicts.map((conflict) => ({
        kind: conflict.kind,
        path: conflict.path,
        message: conflict.message,
        orgUids: conflict.orgUids
      })),
      unmanaged: plan.unmanaged.map((org) => ({
        path: org.path,
        orgUid: org.orgUid,
        orgName: org.orgName,
        status: org.status,
        action: org.action
      })),
      checksum: checksum(plan)
    },
    null,
    2
  ) + "\n"
