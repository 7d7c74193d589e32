/**
 * Plain-value builders for the planner's tests: a remote tenant from a nested outline, a desired tree with
 * the loader's inheritance, and a compact one-line rendering of changes to assert exact plans.
 */
import { Org } from "@c42/core"
import type { DesiredOrg, DesiredState, Prune, Status } from "../src/Desired.js"
import type { RemoteOrg } from "../src/OrgApi.js"
import * as OrgPath from "../src/OrgPath.js"
import * as Plan from "../src/Plan.js"
import * as Safety from "../src/Safety.js"

export interface RemoteSpec {
  readonly name: string
  readonly status?: Status
  /** A deactivated org that is blocked as well. */
  readonly alsoBlocked?: boolean
  readonly uid?: string
  readonly extRef?: string | null
  readonly notes?: string | null
  readonly children?: ReadonlyArray<RemoteSpec>
}

/** `r("Sales", { status: "blocked" }, r("EMEA"))`. */
export const r = (
  name: string,
  options: Omit<RemoteSpec, "name" | "children"> = {},
  ...children: ReadonlyArray<RemoteSpec>
): RemoteSpec => ({ name, ...options, children })

/** The default orgUid of a remote org: `u/` and its path (`u/` for the top-level org). */
export const uid = (path: string): string => `u/${path}`

const org = (fields: {
  readonly orgId: number
  readonly orgUid: string
  readonly name: string
  readonly status: Status
  readonly alsoBlocked: boolean
  readonly extRef: string | null
  readonly notes: string | null
  readonly parent: { readonly orgId: number; readonly orgUid: string } | undefined
}): Org.Org =>
  new Org.Org({
    orgId: fields.orgId,
    orgUid: fields.orgUid,
    orgGuid: `guid-${fields.orgId}`,
    orgName: fields.name,
    orgExtRef: fields.extRef,
    notes: fields.notes,
    status: fields.status === "deactivated" ? "Deactivated" : "Active",
    active: fields.status !== "deactivated",
    blocked: fields.status === "blocked" || fields.alsoBlocked,
    parentOrgId: fields.parent?.orgId ?? null,
    parentOrgUid: fields.parent?.orgUid ?? null,
    parentOrgGuid: fields.parent === undefined ? null : `guid-${fields.parent.orgId}`
  }, true)

/** A tenant: a top-level org (`Top`, uid `u/`) with the given orgs under it, depth first. */
export const tenant = (...children: ReadonlyArray<RemoteSpec>): ReadonlyArray<Org.Org> => {
  const orgs: Array<Org.Org> = []
  const add = (spec: RemoteSpec, path: string, parent: Org.Org | undefined) => {
    const added = org({
      orgId: orgs.length + 1,
      orgUid: spec.uid ?? uid(path),
      name: spec.name,
      status: spec.status ?? "active",
      alsoBlocked: spec.alsoBlocked ?? false,
      extRef: spec.extRef ?? null,
      notes: spec.notes ?? null,
      parent
    })
    orgs.push(added)
    for (const child of spec.children ?? []) add(child, OrgPath.child(path, child.name), added)
  }
  add({ name: "Top", children }, "", undefined)
  return orgs
}

export interface DesiredSpec {
  readonly name: string
  readonly status?: Status
  readonly uid?: string
  readonly extRef?: string | null
  readonly notes?: string | null
  readonly previously?: ReadonlyArray<string>
  readonly protect?: boolean
  readonly children?: ReadonlyArray<DesiredSpec>
}

/** `d("Sales", { status: "blocked" }, d("EMEA"))`. */
export const d = (
  name: string,
  options: Omit<DesiredSpec, "name" | "children"> = {},
  ...children: ReadonlyArray<DesiredSpec>
): DesiredSpec => ({ name, ...options, children })

const desiredOrg = (spec: DesiredSpec, parentPath: string, parentStatus: Status): DesiredOrg => {
  const path = OrgPath.child(parentPath, spec.name)
  const status = spec.status ?? parentStatus
  return {
    name: spec.name,
    path,
    extRef: spec.extRef,
    notes: spec.notes,
    status,
    uid: spec.uid,
    previously: spec.previously ?? [],
    protect: spec.protect ?? false,
    children: (spec.children ?? []).map((child) => desiredOrg(child, path, status)),
    location: { file: "orgs.yaml", line: 1, column: 1 }
  }
}

export const desired = (
  orgs: ReadonlyArray<DesiredSpec>,
  options: { readonly root?: string; readonly prune?: Prune } = {}
): DesiredState => ({
  root: options.root,
  prune: options.prune ?? "report",
  orgs: orgs.map((spec) => desiredOrg(spec, "", "active")),
  files: ["orgs.yaml"]
})

export interface PlanOptions {
  readonly root?: string
  readonly prune?: Prune
  readonly identities?: ReadonlyArray<Plan.Identity>
  readonly currentOrgUid?: string
  /** false: a family that cannot block (the gateway). */
  readonly canBlock?: boolean
  readonly drift?: "heal" | "report"
  readonly force?: boolean
  /** The last status orgsync wrote to each org, by uid. */
  readonly statusWritten?: ReadonlyMap<string, string | null>
}

export const plan = (
  remote: ReadonlyArray<RemoteOrg>,
  orgs: ReadonlyArray<DesiredSpec>,
  options: PlanOptions = {}
): Plan.Plan => {
  const wanted = desired(orgs, options)
  return Safety.review(
    Plan.make({
      desired: wanted,
      remote,
      identities: options.identities ?? [],
      settings: { currentOrgUid: options.currentOrgUid, canBlock: options.canBlock, drift: options.drift },
      statusWritten: options.statusWritten
    }),
    { desired: wanted, force: options.force ?? false }
  )
}

/**
 * A plan with one change of most kinds, a drift, a conflict and an unmanaged org, for the plan formats;
 * `remote` and `orgs` are more orgs under the top and in the desired tree, after the others.
 */
export const mixedPlan = (
  remote: ReadonlyArray<RemoteSpec>,
  orgs: ReadonlyArray<DesiredSpec> = [],
  options: PlanOptions = {}
): Plan.Plan =>
  plan(
    tenant(
      r("Eng", { notes: "old" }, r("Platform")),
      r("Sales", { status: "deactivated" }),
      r("Vendors", { status: "blocked" }),
      r("Dup"),
      r("Dup", { uid: "u2" }),
      ...remote
    ),
    [
      d("Eng", { status: "blocked", notes: "Product engineering" }, d("Platform"), d("Tools", { extRef: "T-1" })),
      d("Sales"),
      d("Contractors", { previously: ["Vendors"] }),
      d("Dup"),
      ...orgs
    ],
    {
      ...options,
      identities: [{
        path: "Sales",
        orgUid: uid("Sales"),
        applied: { name: "Sales", extRef: null, notes: null, status: "active" }
      }]
    }
  )

/** A plan with nothing in it. */
export const emptyPlan: Plan.Plan = {
  changes: [],
  conflicts: [],
  unmanaged: [],
  refusal: undefined,
  resolved: [],
  rootOrgUid: "1",
  managedCount: 0,
  restricted: 0
}

/** A change of `action` to the top-level org `path` (uid `u/path`), asked for by the desired files. */
export const change = (action: Plan.Action, path: string, cascadesTo: ReadonlyArray<string> = []): Plan.Change => ({
  action,
  path,
  orgUid: action === "create" ? null : uid(path),
  orgId: action === "create" ? null : 1,
  parentPath: "",
  parentOrgUid: "1",
  before: action === "create" ? null : { status: "active" },
  after: action === "create" ? { name: path } : { status: action === "block" ? "blocked" : "deactivated" },
  cascadesTo,
  cause: "desired"
})

/** `block Sales > Sales/EMEA, Sales/APAC (drift)`: action, path, cascade and cause of each change. */
export const lines = (plan: Plan.Plan): ReadonlyArray<string> =>
  plan.changes.map((change) =>
    `${change.action} ${change.path}` +
    (change.cascadesTo.length > 0 ? ` > ${change.cascadesTo.join(", ")}` : "") +
    (change.cause === "drift" ? " (drift)" : "")
  )

/** `ambiguous Sales/EMEA`: kind and path of each conflict. */
export const conflictLines = (plan: Plan.Plan): ReadonlyArray<string> =>
  plan.conflicts.map((conflict) => `${conflict.kind} ${conflict.path}`)

/** The remote org at a path of the tenant built by `tenant` (with default uids). */
export const remoteOrg = (remote: ReadonlyArray<Org.Org>, path: string): Org.Org =>
  remote.find((org) => org.orgUid === uid(path))!
