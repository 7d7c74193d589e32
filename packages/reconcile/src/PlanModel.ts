/**
 * The plan as data: the changes, conflicts and unmanaged orgs the planner answers, what it plans from, and
 * the questions every reader of a plan asks of it (does a change restrict, is anything pending).
 */
import type { DesiredState, Status } from "./Desired.js"
import type { Fields, Identity } from "./Identity.js"
import type { RemoteOrg } from "./OrgApi.js"

export type { Fields, Identity }

export type Action = "create" | "update" | "block" | "unblock" | "deactivate" | "reactivate"

export type Cause = "desired" | "drift"

export interface Change {
  readonly action: Action
  readonly path: string
  /** `null` for a create. */
  readonly orgUid: string | null
  /** `null` for a create, and on the gateway family, whose orgs have no orgId. */
  readonly orgId: number | null
  /** The parent's path (`""` for the managed root). */
  readonly parentPath: string
  /** The parent's orgUid, or `null` when the parent is created by this plan (apply resolves it then). */
  readonly parentOrgUid: string | null
  readonly before: Fields | null
  readonly after: Fields | null
  /**
   * The paths of the descendants a block, unblock or deactivation reaches by cascade and whose status changes,
   * top-down; empty for the other actions.
   */
  readonly cascadesTo: ReadonlyArray<string>
  readonly cause: Cause
}

export type ConflictKind =
  | "ambiguous"
  | "pin-missing"
  | "pin-outside-root"
  | "parent-differs"
  | "protected"
  | "signed-in-org"
  | "parent-deactivated"
  | "parent-blocked"
  | "duplicate"
  | "contested"
  | "refused-by-code42"
  | "unsupported"

export interface Conflict {
  readonly kind: ConflictKind
  readonly path: string
  readonly message: string
  /** The orgUids involved (the candidates of an ambiguous name, the pinned uid, ...). */
  readonly orgUids: ReadonlyArray<string>
}

export interface Unmanaged {
  readonly path: string
  readonly orgUid: string
  readonly orgName: string
  readonly status: Status
  /** `deactivate` when `prune: deactivate` plans its deactivation (listed in `changes` too). */
  readonly action: "report" | "deactivate"
}

/** Why the whole plan must not be applied as it stands. */
export interface Refusal {
  readonly reason: "root-missing" | "empty-desired" | "threshold"
  readonly message: string
}

export interface Settings {
  /** The org of the signed-in user (never blocked or deactivated); `undefined` for API clients. */
  readonly currentOrgUid: string | undefined
  /** Whether the endpoint family can block and unblock (default); the gateway family cannot. */
  readonly canBlock?: boolean | undefined
  /**
   * `report`: the fields changed by hand are left as found, so an update of an org changes only the fields the
   * files changed, and its drifted fields go in a change of their own (cause `drift`); `heal` (default): one
   * update sets every field that differs.
   */
  readonly drift?: "heal" | "report" | undefined
}

export interface Plan {
  readonly changes: ReadonlyArray<Change>
  readonly conflicts: ReadonlyArray<Conflict>
  readonly unmanaged: ReadonlyArray<Unmanaged>
  /** Set by `Safety.review`; the planner itself only refuses when the managed root is missing. */
  readonly refusal: Refusal | undefined
  /** The desired paths resolved to remote orgs, for the identity mapping. */
  readonly resolved: ReadonlyArray<{ readonly path: string; readonly orgUid: string }>
  /** The orgUid of the managed root. */
  readonly rootOrgUid: string
  /** Orgs under the managed root (the root excluded), the base of the threshold. */
  readonly managedCount: number
  /** Orgs under the managed root that the plan blocks or deactivates, directly or by cascade. */
  readonly restricted: number
}

export interface PlanInput {
  readonly desired: DesiredState
  /** Every org of the tenant, as last read. */
  readonly remote: ReadonlyArray<RemoteOrg>
  readonly identities: ReadonlyArray<Identity>
  readonly settings: Settings
  /**
   * The last status orgsync wrote to each org, where no later read found it changed back: an org found at that
   * status was left so by orgsync itself (an unblock to create under it), not changed by hand.
   */
  readonly statusWritten?: ReadonlyMap<string, string | null> | undefined
}

/** A block or a deactivation (a prune is one): a destructive change, which policy and apply treat apart. */
export const restricts = (change: Pick<Change, "action">): boolean =>
  change.action === "block" || change.action === "deactivate"

/** Nothing pending: no change to make, no conflict in the way and no refusal. */
export const converged = (plan: Pick<Plan, "changes" | "conflicts" | "refusal">): boolean =>
  plan.changes.length === 0 && plan.conflicts.length === 0 && plan.refusal === undefined
