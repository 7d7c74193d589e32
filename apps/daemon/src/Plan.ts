/**
 * The plan: a pure function from the desired tree, the remote snapshot and the identity mapping to the
 * fewest calls that converge, with conflicts and unmanaged orgs reported beside them.
 */
import type { Org } from "@c42/core"
import type { DesiredState, Status } from "./Desired.js"

export type Action = "create" | "update" | "block" | "unblock" | "deactivate" | "reactivate"

export type Cause = "desired" | "drift"

/** The fields a change is about; only the fields that change appear in `before`/`after`. */
export interface Fields {
  readonly name?: string
  readonly extRef?: string | null
  readonly notes?: string | null
  readonly status?: Status
}

export interface Change {
  readonly action: Action
  readonly path: string
  /** `null` for a create. */
  readonly orgUid: string | null
  /** `null` for a create. */
  readonly orgId: number | null
  /** The parent's path (`""` for the managed root). */
  readonly parentPath: string
  /** The parent's orgUid, or `null` when the parent is created by this plan (apply resolves it then). */
  readonly parentOrgUid: string | null
  readonly before: Fields | null
  readonly after: Fields | null
  /** The paths of the descendants a block or deactivation reaches by cascade (and whose state changes). */
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
  readonly reason: "empty-desired" | "threshold"
  readonly message: string
}

/** What the state database remembers of an org it manages. */
export interface Identity {
  readonly path: string
  readonly orgUid: string
  /** The desired fields as of the last time orgsync converged this org; drift is measured against them. */
  readonly applied: Required<Fields> | undefined
}

export interface Settings {
  /** The org of the signed-in user (never blocked or deactivated); `undefined` for API clients. */
  readonly currentOrgUid: string | undefined
  /** Lifts the 25% threshold. */
  readonly force: boolean
}

export interface Plan {
  readonly changes: ReadonlyArray<Change>
  readonly conflicts: ReadonlyArray<Conflict>
  readonly unmanaged: ReadonlyArray<Unmanaged>
  readonly refusal: Refusal | undefined
  /** The desired paths resolved to remote orgs, for the identity mapping. */
  readonly resolved: ReadonlyArray<{ readonly path: string; readonly orgUid: string }>
  /** The orgUid of the managed root. */
  readonly rootOrgUid: string
  /** Orgs under the managed root (the root excluded), the base of the threshold. */
  readonly managedCount: number
}

export interface PlanInput {
  readonly desired: DesiredState
  /** Every org of the tenant, as last read. */
  readonly remote: ReadonlyArray<Org.Org>
  readonly identities: ReadonlyArray<Identity>
  readonly settings: Settings
}
