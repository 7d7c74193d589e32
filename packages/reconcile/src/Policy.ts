/**
 * Policy: what may be applied without a person, decided change by change after the plan and its safety check.
 * `destructive` says what happens to blocks, deactivations and prunes (applied, held for approval, or never
 * applied); `drift` says whether changes made in Code42 by hand are reverted or only reported. Held changes
 * are named by their checksum, so that an approval covers exactly the change a person saw: if the plan
 * changes, the change gets another checksum and the approval no longer matches.
 */
import type { Written } from "./Contest.js"
import type { Identity } from "./Identity.js"
import { type Change, restricts } from "./Plan.js"
import * as PlanChecksum from "./PlanChecksum.js"

/** `auto`: apply; `confirm`: hold until approved; `never`: never apply (report). */
export type Destructive = "auto" | "confirm" | "never"

export const destructiveValues: ReadonlyArray<Destructive> = ["auto", "confirm", "never"]

/** `heal`: revert changes made by hand; `report`: show them, leave them. */
export type Drift = "heal" | "report"

export const driftValues: ReadonlyArray<Drift> = ["heal", "report"]

export interface Policy {
  readonly destructive: Destructive
  readonly drift: Drift
}

/** What a program that asks nothing does: every change applied, drift healed. */
export const auto: Policy = { destructive: "auto", drift: "heal" }

/** What people decided about held changes, asked by checksum. */
export interface Decisions {
  readonly approved: (checksum: string) => boolean
  readonly rejected: (checksum: string) => boolean
}

export const noDecisions: Decisions = { approved: () => false, rejected: () => false }

/**
 * Why a change was kept back: `awaiting-approval` and `rejected` under `destructive: confirm`, `never` under
 * `destructive: never`, `drift` under `drift: report`.
 */
export type Reason = "awaiting-approval" | "rejected" | "never" | "drift"

export interface Kept {
  /** The short form of the checksum, for `orgsync approve <id>`. */
  readonly id: string
  readonly checksum: string
  readonly reason: Reason
  readonly change: Change
  /**
   * The destructive change this one is held with (whose id and checksum it shares): an unblock it would undo,
   * or a create that needs that unblock. One approval applies them together.
   */
  readonly goesWith?: Change | undefined
}

/** The orgs a change reaches: its own and those its cascade reaches. */
export const reach = (change: Change): number => 1 + change.cascadesTo.length

/** The checksum of one change, as `plan --format json` computes it for a whole plan. */
export const checksum = (change: Change): string => PlanChecksum.checksum({ changes: [change] })

/** The first 12 hex digits of the checksum: enough to tell held changes apart, short enough to type. */
export const idOf = (checksum: string): string => checksum.replace(/^sha256:/, "").slice(0, 12)

const keep = (change: Change, reason: Reason, sum = checksum(change)): Kept => ({
  id: idOf(sum),
  checksum: sum,
  reason,
  change
})

/**
 * The orgs orgsync left unblocked itself, cut off between the steps of an approved sequence (unblock, create,
 * block again): the last status it wrote to them (`written`, not found changed back since) is active, while
 * the files, when they last converged, asked for blocked.
 */
export const openedByOrgsync = (
  written: ReadonlyArray<Written>,
  identities: ReadonlyArray<Identity>
): ReadonlySet<string> => {
  const blocked = new Set(identities.filter((i) => i.applied?.status === "blocked").map((i) => i.orgUid))
  return new Set(
    written.filter((w) => w.field === "status" && w.value === "active" && blocked.has(w.orgUid)).map((w) => w.orgUid)
  )
}

/** Why one change is kept back, on its own; `undefined`: it may be applied. */
const verdict = (change: Change, policy: Policy, decisions: Decisions, opened: ReadonlySet<string>): Kept | undefined => {
  if (policy.drift === "report" && change.cause === "drift") return keep(change, "drift")
  if (!restricts(change) || policy.destructive === "auto") return undefined
  // Blocking again an org orgsync opened itself completes a sequence already approved: it restores the status
  // that approval was given for.
  if (
    policy.destructive === "confirm" && change.action === "block" && change.cause === "desired" &&
    change.orgUid !== null && opened.has(change.orgUid)
  ) return undefined
  if (policy.destructive === "never") return keep(change, "never")
  const sum = checksum(change)
  if (decisions.approved(sum)) return undefined
  return keep(change, decisions.rejected(sum) ? "rejected" : "awaiting-approval", sum)
}

/** The orgs a change acts on: its own and those its cascade reaches. */
const reached = (change: Change): ReadonlyArray<string> => [change.path, ...change.cascadesTo]

/**
 * Splits changes into those to apply now and those kept back, each with its reason. Drift under `report` is
 * kept whatever its action; a destructive change under `confirm` goes through only when its checksum is
 * approved.
 *
 * An org that must stay blocked is never left open: an unblock reaching an org that a kept block or
 * deactivation would close again (the planner unblocks a blocked org to create under it, then blocks it
 * again) is kept with that change, and so are the creates under the orgs it would open. Approving the
 * destructive change applies the whole sequence; one cut off between its steps is finished without another
 * approval: the re-block of an org in `opened` (`openedByOrgsync`) goes through under `confirm`.
 */
export const gate = (
  changes: ReadonlyArray<Change>,
  policy: Policy,
  decisions: Decisions = noDecisions,
  opened: ReadonlySet<string> = new Set()
): { readonly allowed: ReadonlyArray<Change>; readonly kept: ReadonlyArray<Kept> } => {
  const verdicts = changes.map((change) => verdict(change, policy, decisions, opened))
  // The orgs that kept blocks and deactivations would close again, each with the change that would.
  const closing = new Map<string, Kept>()
  for (const held of verdicts) {
    if (held !== undefined && held.reason !== "drift" && restricts(held.change)) {
      for (const path of reached(held.change)) if (!closing.has(path)) closing.set(path, held)
    }
  }
  const allowed: Array<Change> = []
  const kept: Array<Kept> = []
  // The orgs a kept unblock leaves closed, and the orgs not created under them, with what they wait on.
  const closed = new Map<string, Kept>()
  changes.forEach((change, i) => {
    const own = verdicts[i]
    const heldWith = own !== undefined ? undefined : change.action === "unblock"
      ? reached(change).map((path) => closing.get(path)).find((held) => held !== undefined)
      : change.action === "create"
      ? closed.get(change.parentPath)
      : undefined
    if (heldWith !== undefined) {
      const opens = change.action === "unblock" ? reached(change) : [change.path]
      for (const path of opens) closed.set(path, heldWith)
      kept.push({ ...heldWith, change, goesWith: heldWith.change })
    } else if (own !== undefined) kept.push(own)
    else allowed.push(change)
  })
  return { allowed, kept }
}

/** The kept changes a person may decide about: those held for approval (rejected ones may still be approved). */
export const approvable = (kept: Kept): boolean => kept.reason === "awaiting-approval" || kept.reason === "rejected"

/** Why a change was kept back, in a few words after it (`drift: report, not reverted`). */
export const keptNote = (kept: Kept): string => {
  const why = kept.reason === "drift"
    ? "drift: report, not reverted"
    : kept.reason === "never"
    ? "destructive: never"
    : kept.reason === "rejected"
    ? "rejected"
    : `held for approval [${kept.id}]`
  return kept.goesWith === undefined ? why : `${why}, with ${kept.goesWith.action} ${kept.goesWith.path}`
}

/**
 * What a one-shot `apply` (and the `plan` made for it) applies: `confirm` is the person at the terminal, `--yes`
 * or the reviewed plan, so only `never` keeps destructive changes back; drift as the setting says.
 */
export const oneShot = (settings: Policy): Policy => ({
  destructive: settings.destructive === "never" ? "never" : "auto",
  drift: settings.drift
})

/** One line saying why a change was not applied. */
export const describeKept = (kept: Kept): string => {
  const what = `${kept.change.action} ${kept.change.path}` +
    (kept.goesWith === undefined ? "" : `, held with ${kept.goesWith.action} ${kept.goesWith.path}`)
  switch (kept.reason) {
    case "awaiting-approval":
      return `held for approval (destructive: confirm): ${what} [${kept.id}]`
    case "rejected":
      return `rejected, so not applied: ${what} [${kept.id}]`
    case "never":
      return `not applied (destructive: never): ${what}`
    case "drift":
      return `drift reported, not reverted (drift: report): ${what}`
  }
}
