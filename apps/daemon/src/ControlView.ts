/**
 * What the daemon's decisions look like on `/api/status` and the status page: the changes held, the drift in
 * detail, the policy and the suspension.
 */
import { Policy } from "@c42/reconcile"
import type { State } from "./DaemonControl.js"

export interface HeldView {
  readonly id: string
  readonly action: string
  readonly path: string
  readonly orgUid: string | null
  /** Orgs reached: the org and those its cascade reaches. */
  readonly reach: number
  readonly cascadesTo: ReadonlyArray<string>
  readonly checksum: string
  readonly cause: string
  /** `held` awaits approval; `rejected` was rejected; `never` is never applied (destructive: never). */
  readonly state: "held" | "rejected" | "never"
  /** Approved, to be applied by the next pass. */
  readonly approved: boolean
  readonly since: string
  /**
   * The destructive change this one is held with and applied with once approved (`block Sales` for the unblock
   * of Sales and the creates under it that the block would close again); `null` for a change held for itself.
   */
  readonly goesWith: string | null
}

export interface DriftView {
  readonly path: string
  readonly orgUid: string
  readonly field: string
  /** Absent for a field orgsync never wrote at the value the files ask for. */
  readonly applied?: string | null
  readonly current: string | null
  readonly seenAt: string
  /** Reverted by the pass (drift: heal); `false` while it is left (drift: report, suspended, failed). */
  readonly healed: boolean
}

export interface ControlView {
  readonly policy: { readonly destructive: Policy.Destructive; readonly drift: Policy.Drift }
  readonly suspended: boolean
  readonly suspendedSince: string | null
  readonly held: ReadonlyArray<HeldView>
  readonly drift: ReadonlyArray<DriftView>
}

/** The view of a daemon without a policy's state: nothing held, nothing found, not suspended. */
export const idle: ControlView = {
  policy: Policy.auto,
  suspended: false,
  suspendedSince: null,
  held: [],
  drift: []
}

const heldState = (reason: Policy.Reason): HeldView["state"] =>
  reason === "never" ? "never" : reason === "rejected" ? "rejected" : "held"

export const view = (state: State): ControlView => ({
  policy: state.policy,
  suspended: state.suspended !== undefined,
  suspendedSince: state.suspended?.toISOString() ?? null,
  held: state.held.map((held) => ({
    id: held.id,
    action: held.change.action,
    path: held.change.path,
    orgUid: held.change.orgUid,
    reach: Policy.reach(held.change),
    cascadesTo: held.change.cascadesTo,
    checksum: held.checksum,
    cause: held.change.cause,
    state: heldState(held.reason),
    approved: state.approved.has(held.checksum),
    since: held.since.toISOString(),
    goesWith: held.goesWith === undefined ? null : `${held.goesWith.action} ${held.goesWith.path}`
  })),
  drift: state.drift.map((drift) => ({ ...drift, seenAt: drift.seenAt.toISOString() }))
})
