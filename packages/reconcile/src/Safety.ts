/**
 * Safety: the checks that stand between a plan and its application, kept apart from the plan itself (as
 * octoDNS keeps `raise_if_unsafe` apart from its `Plan`). A plan is the same plan, with the same checksum,
 * whether or not it is allowed, so that a reviewed plan above the threshold can be applied with `--force`.
 */
import type { DesiredState } from "./Desired.js"
import type { Change, Plan, Refusal } from "./Plan.js"

export interface Options {
  readonly desired: DesiredState
  /** Lifts the 25% threshold (never the refusal of an empty desired tree). */
  readonly force: boolean
}

/** The threshold only applies from this many managed orgs: below it, a quarter is a handful of orgs. */
export const thresholdMinimum = 10

/** Why `plan` must not be applied as it stands, or `undefined` when it may be. */
export const check = (plan: Plan, options: Options): Refusal | undefined => {
  if (plan.refusal !== undefined) return plan.refusal
  // An empty desired tree is far more often a broken checkout than a wish to prune everything.
  if (options.desired.orgs.length === 0 && plan.managedCount > 0) {
    return {
      reason: "empty-desired",
      message: `The desired tree is empty but Code42 has ${plan.managedCount} orgs under the managed root: ` +
        "nothing is done (list the orgs to keep, or check the --desired path)."
    }
  }
  if (!options.force && plan.managedCount >= thresholdMinimum && plan.restricted * 4 > plan.managedCount) {
    return {
      reason: "threshold",
      message: `The plan blocks or deactivates ${plan.restricted} of ${plan.managedCount} managed orgs, above 25%: ` +
        "re-run with --force if this is intended."
    }
  }
  return undefined
}

/** The plan with the refusal `check` finds, if any. */
export const review = (plan: Plan, options: Options): Plan => {
  const refusal = check(plan, options)
  return refusal === plan.refusal ? plan : { ...plan, refusal }
}

/** Whether `force` is what lets this plan through: the daemon says so loudly at every pass. */
export const forced = (plan: Plan, options: Options): boolean =>
  options.force && check(plan, { ...options, force: false })?.reason === "threshold"

/** The changes of a later round, split by whether they only retry or finish a reviewed change. */
export interface Held {
  readonly allowed: ReadonlyArray<Change>
  /** New since the review: reported as pending, never applied in this pass. */
  readonly unreviewed: ReadonlyArray<Change>
}

/**
 * What a reviewed (or confirmed) plan covers in the rounds that follow it: the same action on the same org.
 * An org the reviewed plan created is known by its path until it exists; any other org by its orgUid.
 */
export const reviewedBy = (reviewed: Plan) => {
  const keys = new Set(reviewed.changes.map((change) => `${change.action} ${change.orgUid ?? `/${change.path}`}`))
  const covered = (change: Change) =>
    (change.orgUid !== null && keys.has(`${change.action} ${change.orgUid}`)) ||
    keys.has(`${change.action} /${change.path}`)
  return (plan: Plan): Held => ({
    allowed: plan.changes.filter(covered),
    unreviewed: plan.changes.filter((change) => !covered(change))
  })
}
