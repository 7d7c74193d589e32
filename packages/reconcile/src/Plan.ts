/**
 * The plan: a pure function from the desired tree, the remote snapshot and the identity mapping to the
 * fewest calls that converge, with conflicts and unmanaged orgs reported beside them.
 */
import type { DesiredOrg, DesiredState, Prune, Status } from "./Desired.js"
import type { Fields, Identity } from "./Identity.js"
import type { RemoteOrg } from "./OrgApi.js"
import * as OrgPath from "./OrgPath.js"

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
}

const severity: Record<Status, number> = { active: 0, blocked: 1, deactivated: 2 }

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const depthOf = (path: string): number => OrgPath.split(path).length

/** An org whose body does not say is taken as active and unblocked: no destructive write follows from that. */
const statusOf = (state: { readonly active?: boolean | undefined; readonly blocked?: boolean | undefined }): Status =>
  state.active === false ? "deactivated" : state.blocked === true ? "blocked" : "active"

/** Keeps the first value for each key, so that duplicates in the input never change the answer. */
const firstBy = <A>(values: ReadonlyArray<A>, key: (value: A) => string): ReadonlyMap<string, A> => {
  const map = new Map<string, A>()
  for (const value of values) if (!map.has(key(value))) map.set(key(value), value)
  return map
}

// ---------------------------------------------------------------------------------------------------------
// The remote tree

interface RemoteIndex {
  readonly byUid: ReadonlyMap<string, RemoteOrg>
  readonly children: ReadonlyMap<string, ReadonlyArray<RemoteOrg>>
  readonly topLevel: RemoteOrg | undefined
}

const indexRemote = (orgs: ReadonlyArray<RemoteOrg>): RemoteIndex => {
  const byUid = firstBy(orgs, (org) => org.orgUid)
  const uidById = new Map<number, string>()
  for (const org of byUid.values()) if (org.orgId !== undefined) uidById.set(org.orgId, org.orgUid)
  const children = new Map<string, Array<RemoteOrg>>()
  let topLevel: RemoteOrg | undefined
  for (const org of byUid.values()) {
    if (org.parentOrgUid == null && org.parentOrgId == null) {
      topLevel ??= org
      continue
    }
    const parentUid = org.parentOrgUid ?? uidById.get(org.parentOrgId!)
    if (parentUid === undefined) continue
    const siblings = children.get(parentUid)
    if (siblings === undefined) children.set(parentUid, [org])
    else siblings.push(org)
  }
  return { byUid, children, topLevel }
}

/**
 * What the planner knows of an org under the managed root: a remote org, or one this plan creates. The
 * mutable part is the simulation of the remote tree through the plan's calls.
 */
interface Node {
  /** `undefined` for an org this plan creates. */
  readonly org: RemoteOrg | undefined
  /** `undefined` for the managed root. */
  readonly parent: Node | undefined
  readonly children: Array<Node>
  readonly depth: number
  /** The status read from Code42; `undefined` for an org this plan creates. */
  readonly original: Status | undefined
  /**
   * managed: resolved by a desired org; new: created by this plan; unmanaged: no desired org claims it;
   * reserved: left alone because of a conflict (a candidate of an ambiguous name, a misplaced pin...).
   */
  kind: "root" | "managed" | "new" | "unmanaged" | "reserved"
  desired: DesiredOrg | undefined
  path: string
  /** The status the plan must reach; `undefined`: whatever happens to it (never acted on directly). */
  target: Status | undefined
  active: boolean
  blocked: boolean
}

const remoteNode = (org: RemoteOrg, parent: Node | undefined): Node => ({
  org,
  parent,
  children: [],
  depth: parent === undefined ? 0 : parent.depth + 1,
  original: statusOf(org),
  kind: parent === undefined ? "root" : "unmanaged",
  desired: undefined,
  path: "",
  target: undefined,
  active: org.active !== false,
  blocked: org.blocked === true
})

interface Tree {
  readonly root: Node
  /** Every remote org under the managed root, the root included. */
  readonly byUid: ReadonlyMap<string, Node>
}

const buildTree = (rootOrg: RemoteOrg, children: RemoteIndex["children"]): Tree => {
  const root = remoteNode(rootOrg, undefined)
  const byUid = new Map([[rootOrg.orgUid, root]])
  const stack = [root]
  while (stack.length > 0) {
    const node = stack.pop()!
    for (const org of children.get(node.org!.orgUid) ?? []) {
      if (byUid.has(org.orgUid)) continue
      const child = remoteNode(org, node)
      node.children.push(child)
      byUid.set(org.orgUid, child)
      stack.push(child)
    }
  }
  return { root, byUid }
}

/** Top-down (parents before children), then by path: the order of every phase of the plan. */
const byPosition = (a: Node, b: Node): number =>
  a.depth - b.depth || compare(a.path, b.path) || compare(a.org?.orgUid ?? "", b.org?.orgUid ?? "")

/** `<name> deactivated <ISO date>` is the name Code42 gives an org it deactivates: the name before it. */
const nameBeforeDeactivation = (remoteName: string): string | undefined =>
  /^(.*) deactivated \d{4}-\d{2}-\d{2}\S*$/s.exec(remoteName)?.[1]

const describeParent = (node: Node): string => node.kind === "root" ? "the managed root" : node.path

// ---------------------------------------------------------------------------------------------------------
// Identity: which remote org each desired org is

type Identified =
  | { readonly _tag: "Found"; readonly node: Node }
  | { readonly _tag: "New" }
  | { readonly _tag: "Conflict"; readonly conflict: Conflict }

const conflict = (kind: ConflictKind, path: string, message: string, orgUids: ReadonlyArray<string>): Identified => ({
  _tag: "Conflict",
  conflict: { kind, path, message, orgUids }
})

/**
 * Resolves every desired org to a remote org, to a create, or to a conflict (the org and its desired subtree
 * are then left alone). Marks the resolved nodes `managed`, adds `new` nodes for the creates, and answers the
 * orgUids that conflicts reserve: they and their remote subtrees are neither unmanaged nor pruned.
 */
const identify = (
  input: PlanInput,
  everyOrg: ReadonlyMap<string, RemoteOrg>,
  tree: Tree,
  conflicts: Array<Conflict>
): ReadonlySet<string> => {
  const identityByPath = firstBy(input.identities, (identity) => identity.path)
  const identityByUid = firstBy(input.identities, (identity) => identity.orgUid)

  // First pass: the pins and the identity mapping claim their orgs before any name match may take them. A
  // mapped path may be an old one: a parent renamed by `previously` carries its children's paths with it.
  const pinnedBy = new Map<string, DesiredOrg>()
  const mappedBy = new Map<string, DesiredOrg>()
  const mapped = new Map<DesiredOrg, string>()
  const pending: Array<{ readonly org: DesiredOrg; readonly parentPaths: ReadonlyArray<string> }> = input.desired.orgs
    .map((org) => ({ org, parentPaths: [""] }))
  for (let i = 0; i < pending.length; i++) {
    const { org, parentPaths } = pending[i]!
    if (org.uid !== undefined && !pinnedBy.has(org.uid)) pinnedBy.set(org.uid, org)
    let identity: Identity | undefined
    for (const parentPath of parentPaths) {
      for (const name of [org.name, ...org.previously]) {
        identity ??= identityByPath.get(OrgPath.child(parentPath, name))
      }
    }
    if (identity !== undefined) {
      mapped.set(org, identity.orgUid)
      if (!mappedBy.has(identity.orgUid)) mappedBy.set(identity.orgUid, org)
    }
    const pinnedPath = org.uid === undefined ? undefined : identityByUid.get(org.uid)?.path
    const paths = [...new Set([org.path, identity?.path, pinnedPath])].filter((path) => path !== undefined)
    for (const child of org.children) pending.push({ org: child, parentPaths: paths })
  }

  const claimable = (uid: string, org: DesiredOrg) =>
    (pinnedBy.get(uid) ?? org) === org && (mappedBy.get(uid) ?? org) === org

  const byName = new Map<Node, Map<string, Array<Node>>>()
  const childrenNamed = (parent: Node, name: string): ReadonlyArray<Node> => {
    let index = byName.get(parent)
    if (index === undefined) {
      index = new Map()
      for (const child of parent.children) {
        if (child.org === undefined) continue
        // Code42 trims the names it stores: a name stored with spaces around it is matched without them.
        const name = child.org.orgName.trim()
        const same = index.get(name)
        if (same === undefined) index.set(name, [child])
        else same.push(child)
      }
      byName.set(parent, index)
    }
    return index.get(name) ?? []
  }

  const renamed = new Map<Node, Map<string, Array<Node>>>()
  const deactivatedAs = (parent: Node, name: string): ReadonlyArray<Node> => {
    let index = renamed.get(parent)
    if (index === undefined) {
      index = new Map()
      for (const child of parent.children) {
        const before = child.org === undefined || child.org.active ? undefined : nameBeforeDeactivation(child.org.orgName)
        if (before === undefined) continue
        const same = index.get(before)
        if (same === undefined) index.set(before, [child])
        else same.push(child)
      }
      renamed.set(parent, index)
    }
    return index.get(name) ?? []
  }

  const place = (org: DesiredOrg, parent: Node, node: Node): Identified => {
    const uid = node.org!.orgUid
    if (node.kind === "managed") {
      return conflict("ambiguous", org.path, `Code42 org ${uid} is already ${node.path}.`, [uid])
    }
    if (node.parent !== parent) {
      const actual = node.parent!
      return conflict(
        "parent-differs",
        org.path,
        `Code42 org ${uid} ("${node.org!.orgName}") is under "${actual.org!.orgName}" (${actual.org!.orgUid}), ` +
          `not under ${describeParent(parent)}; the API cannot move orgs.`,
        [uid]
      )
    }
    return { _tag: "Found", node }
  }

  /**
   * Another active org of the same name beside the one the mapping names: a twin, most often made by another
   * writer. Neither is acted on (never pruned, blocked or deactivated) until a person settles which is which.
   */
  const twinned = (org: DesiredOrg, parent: Node, node: Node): Identified | undefined => {
    const twins = childrenNamed(parent, node.org!.orgName.trim()).filter((other) =>
      other !== node && other.org!.active && other.kind !== "managed" && claimable(other.org!.orgUid, org)
    )
    if (twins.length === 0) return undefined
    const uids = [node, ...twins].map((n) => n.org!.orgUid).sort(compare)
    return conflict(
      "duplicate",
      org.path,
      `${uids.length} active Code42 orgs named "${node.org!.orgName}" under ${describeParent(parent)} where one is ` +
        "expected (another writer may have made the twin): none of them is pruned, blocked or deactivated. " +
        "Deactivate or rename the extra one in Code42, or pin one with `uid`.",
      uids
    )
  }

  const resolve = (org: DesiredOrg, parent: Node): Identified => {
    if (org.uid !== undefined) {
      const node = tree.byUid.get(org.uid)
      if (node !== undefined && node !== tree.root) return place(org, parent, node)
      return everyOrg.has(org.uid)
        ? conflict("pin-outside-root", org.path, `The pinned org ${org.uid} is not under the managed root.`, [org.uid])
        : conflict("pin-missing", org.path, `The pinned org ${org.uid} is not in Code42.`, [org.uid])
    }
    const uid = mapped.get(org)
    const node = uid === undefined ? undefined : tree.byUid.get(uid)
    // A mapping to an org that is gone or no longer under the root is stale: the name decides instead.
    if (node !== undefined && node !== tree.root && node.kind !== "managed" && claimable(uid!, org)) {
      const placed = place(org, parent, node)
      return placed._tag === "Found" ? twinned(org, parent, node) ?? placed : placed
    }
    if (parent.kind === "new") return { _tag: "New" }
    // A deactivated org is also found under the name it had before Code42 renamed it when deactivating it.
    const names = [org.name, ...org.previously]
    const candidates = [...new Set(names.flatMap((name) => [...childrenNamed(parent, name), ...deactivatedAs(parent, name)]))]
      .filter((node) => node.kind !== "managed" && claimable(node.org!.orgUid, org))
    if (candidates.length === 0) return { _tag: "New" }
    if (candidates.length === 1) return { _tag: "Found", node: candidates[0]! }
    const uids = candidates.map((node) => node.org!.orgUid).sort(compare)
    return conflict(
      "ambiguous",
      org.path,
      `${uids.length} Code42 orgs under ${describeParent(parent)} match "${org.name}": pin one with \`uid\`.`,
      uids
    )
  }

  const reserved = new Set<string>()
  const leaveAlone = (org: DesiredOrg) => {
    const stack = [org]
    while (stack.length > 0) {
      const next = stack.pop()!
      if (next.uid !== undefined) reserved.add(next.uid)
      const uid = mapped.get(next)
      if (uid !== undefined) reserved.add(uid)
      for (const child of next.children) stack.push(child)
    }
  }

  const queue: Array<{ readonly org: DesiredOrg; readonly parent: Node }> = input.desired.orgs
    .map((org) => ({ org, parent: tree.root }))
  for (let i = 0; i < queue.length; i++) {
    const { org, parent } = queue[i]!
    const identified = resolve(org, parent)
    if (identified._tag === "Conflict") {
      conflicts.push(identified.conflict)
      for (const uid of identified.conflict.orgUids) reserved.add(uid)
      leaveAlone(org)
      continue
    }
    let node: Node
    if (identified._tag === "Found") {
      node = identified.node
      node.kind = "managed"
    } else {
      node = {
        org: undefined,
        parent,
        children: [],
        depth: parent.depth + 1,
        original: undefined,
        kind: "new",
        desired: undefined,
        path: "",
        target: undefined,
        active: true,
        blocked: false
      }
      parent.children.push(node)
    }
    node.desired = org
    node.path = org.path
    node.target = org.status
    for (const child of org.children) queue.push({ org: child, parent: node })
  }
  return reserved
}

/**
 * Names and classifies the remote orgs no desired org resolved, and answers every node under the root in
 * plan order. Unmanaged orgs are named by their remote names under their parent's path.
 */
const classify = (tree: Tree, reserved: ReadonlySet<string>, prune: Prune): ReadonlyArray<Node> => {
  const ordered: Array<Node> = []
  const queue = [tree.root]
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!
    for (const child of node.children) {
      if (child.kind === "unmanaged") {
        child.path = OrgPath.child(node.path, child.org!.orgName)
        if (node.kind === "reserved" || reserved.has(child.org!.orgUid)) child.kind = "reserved"
        else if (prune === "deactivate") child.target = "deactivated"
      }
      ordered.push(child)
      queue.push(child)
    }
  }
  return ordered.sort(byPosition)
}

// ---------------------------------------------------------------------------------------------------------
// A family that cannot block (the gateway)

const cannotBlock = "the gateway API family cannot block or unblock orgs; use `api: v3` to"

const unsupported = (path: string, message: string, node: Node): Conflict => ({
  kind: "unsupported",
  path,
  message,
  orgUids: node.org === undefined ? [] : [node.org.orgUid]
})

/**
 * On a family that cannot block, an org the files want blocked keeps the status it has: it is not created
 * when missing (it would be active, not blocked) nor reactivated when deactivated. One `unsupported` conflict
 * on the topmost such org says so. Answers those orgs: their fields are still updated, and the orgs below them
 * that must be deactivated still are.
 */
const keptFromBlocking = (ordered: ReadonlyArray<Node>, conflicts: Array<Conflict>): ReadonlySet<Node> => {
  const kept = new Set<Node>()
  // `ordered` is top-down: a parent is seen before its children.
  for (const node of ordered) {
    if (node.target !== "blocked" || (node.kind !== "managed" && node.kind !== "new")) continue
    kept.add(node)
    if (kept.has(node.parent!)) continue
    const now = node.org === undefined
      ? "it is not created, since it would be active"
      : `it stays ${node.original} in Code42`
    conflicts.push(unsupported(node.path, `${node.path} must be blocked, but ${cannotBlock} block it; ${now}.`, node))
  }
  return kept
}

// ---------------------------------------------------------------------------------------------------------
// Converging: the calls, phase by phase, simulated on the tree (code42-api.md section 8)

type Restriction = "block" | "deactivate"

const subtree = (node: Node, skipped: ReadonlySet<Node>): ReadonlyArray<Node> => {
  const nodes: Array<Node> = []
  const stack = [node]
  while (stack.length > 0) {
    const next = stack.pop()!
    if (skipped.has(next)) continue
    nodes.push(next)
    // One push per child: spreading 100,000 siblings into arguments would overflow the stack.
    for (const child of next.children) stack.push(child)
  }
  return nodes
}

const converge = (
  ordered: ReadonlyArray<Node>,
  input: PlanInput,
  conflicts: Array<Conflict>
): { readonly changes: ReadonlyArray<Change>; readonly pruned: ReadonlySet<Node> } => {
  const identityByUid = firstBy(input.identities, (identity) => identity.orgUid)
  const currentOrgUid = input.settings.currentOrgUid
  const skipped = new Set<Node>()
  const stuck = new Set<Node>()
  const pruned = new Set<Node>()
  const canBlock = input.settings.canBlock !== false
  const kept = canBlock ? new Set<Node>() : keptFromBlocking(ordered, conflicts)
  for (const node of kept) if (node.kind === "new") skipped.add(node)

  /** Drift: Code42 no longer has the status the file asked for, and still asks for, when this org converged. */
  const statusCause = (node: Node): Cause =>
    node.kind === "managed" && node.original !== node.target &&
      identityByUid.get(node.org!.orgUid)?.applied?.status === node.target
      ? "drift"
      : "desired"

  const change = (
    node: Node,
    action: Action,
    fields: { readonly before: Fields | null; readonly after: Fields | null },
    cascadesTo: ReadonlyArray<string>,
    cause: Cause
  ): Change => ({
    action,
    path: node.path,
    orgUid: node.org?.orgUid ?? null,
    orgId: node.org?.orgId ?? null,
    parentPath: node.parent!.path,
    parentOrgUid: node.parent!.org?.orgUid ?? null,
    before: fields.before,
    after: fields.after,
    cascadesTo,
    cause
  })

  /** Runs a call on the simulated tree and records it with the descendants whose status it changed. */
  const cascade = (
    node: Node,
    action: Action,
    nodes: ReadonlyArray<Node>,
    apply: (node: Node) => void,
    cause: Cause
  ): Change => {
    const before = statusOf(node)
    const was = nodes.map(statusOf)
    for (const next of nodes) apply(next)
    const reached = nodes.filter((next, i) => next !== node && statusOf(next) !== was[i]).sort(byPosition)
    const fields = { before: { status: before }, after: { status: statusOf(node) } }
    return change(node, action, fields, reached.map((n) => n.path), cause)
  }

  // Reactivate top-down: an org is reactivated alone, and only under an active parent.
  const reactivations: Array<Change> = []
  for (const node of ordered) {
    if (node.kind !== "managed" || node.active || node.target === "deactivated") continue
    if (kept.has(node)) {
      // Nothing is created under it either: its conflict covers its subtree.
      stuck.add(node)
      continue
    }
    const parent = node.parent!
    if (!parent.active) {
      if (!stuck.has(parent)) {
        conflicts.push({
          kind: "parent-deactivated",
          path: node.path,
          message: `${node.path} must be ${node.target} but its parent, ${describeParent(parent)}, stays deactivated.`,
          orgUids: [node.org!.orgUid]
        })
      }
      stuck.add(node)
      continue
    }
    reactivations.push(cascade(node, "reactivate", [node], (n) => (n.active = true), statusCause(node)))
  }

  // Unblock top-down: the topmost org that must be active; its cascade clears its descendants.
  const unblocks: Array<{ readonly node: Node; readonly change: Change }> = []
  const unblock = (node: Node, cause: Cause) =>
    unblocks.push({
      node,
      change: cascade(node, "unblock", subtree(node, skipped), (n) => (n.blocked = false), cause)
    })
  for (const node of ordered) {
    if (node.kind === "managed" && node.target === "active" && node.active && node.blocked) {
      if (!canBlock) {
        conflicts.push(unsupported(
          node.path,
          `${node.path} is blocked in Code42 and must be active, but ${cannotBlock} unblock it (or unblock it in ` +
            "the console).",
          node
        ))
        continue
      }
      // Code42 refuses to unblock an org under a blocked one (PARENT_ORG_IS_BLOCKED): say which one.
      const parent = node.parent!
      if (parent.blocked) {
        conflicts.push({
          kind: "parent-blocked",
          path: node.path,
          message: `${node.path} cannot be unblocked while the org above it is blocked: ` + (parent.kind === "managed"
            ? `${parent.path} stays blocked.`
            : `the managed root ${parent.org!.orgName} (${parent.org!.orgUid}) is blocked, and orgsync never ` +
              "changes the root: unblock it in Code42."),
          orgUids: [parent.org!.orgUid]
        })
        continue
      }
      unblock(node, statusCause(node))
    }
  }

  // Creates need an active, unblocked parent. A blocked one that must stay blocked is unblocked for the
  // creates and blocked again afterwards, as high up as that is safe, so that one unblock serves many creates.
  const forbidden = (node: Node): ConflictKind | undefined =>
    node.org !== undefined && node.org.orgUid === currentOrgUid
      ? "signed-in-org"
      : node.desired?.protect === true
      ? "protected"
      : undefined
  // The nodes with an active org that must never be blocked at or under them: no cascade may start there.
  const guarded = new Set<Node>()
  for (let i = ordered.length - 1; i >= 0; i--) {
    const node = ordered[i]!
    if (node.active && forbidden(node) !== undefined) guarded.add(node)
    if (guarded.has(node)) guarded.add(node.parent!)
  }
  type Point =
    | { readonly _tag: "Unblock"; readonly node: Node }
    | { readonly _tag: "Refuse"; readonly conflict: Omit<Conflict, "path"> }
  const points = new Map<Node, Point>()
  const unblockPoint = (parent: Node): Point => {
    if (!canBlock) {
      return {
        _tag: "Refuse",
        conflict: {
          kind: "unsupported",
          message: `Creating under ${describeParent(parent)} needs it unblocked, but ${cannotBlock} unblock it.`,
          orgUids: [parent.org!.orgUid]
        }
      }
    }
    if (parent.kind !== "managed") {
      return {
        _tag: "Refuse",
        conflict: {
          kind: "parent-blocked",
          message: `The managed root ${parent.org!.orgName} (${parent.org!.orgUid}) is blocked, and orgsync never ` +
            "changes the root: unblock it in Code42.",
          orgUids: [parent.org!.orgUid]
        }
      }
    }
    if (guarded.has(parent)) {
      const found = subtree(parent, skipped).filter((n) => n.active && forbidden(n) !== undefined).sort(byPosition)[0]!
      const kind = forbidden(found)!
      return {
        _tag: "Refuse",
        conflict: {
          kind,
          message: `Creating under ${parent.path} needs it unblocked and blocked again, which would block ` +
            `${found.path}, ${kind === "protected" ? "a protected org" : "the signed-in user's org"}.`,
          orgUids: found.org === undefined ? [] : [found.org.orgUid]
        }
      }
    }
    let node = parent
    if (parent.target === "blocked") {
      for (let up = node.parent!; up.kind === "managed"; up = up.parent!) {
        if (!(up.active && up.blocked && up.target === "blocked" && !guarded.has(up))) break
        node = up
      }
    }
    return { _tag: "Unblock", node }
  }
  const chosen = new Set<Node>()
  for (const node of ordered) {
    if (node.kind !== "new") continue
    const parent = node.parent!
    if (skipped.has(parent) || stuck.has(parent)) {
      skipped.add(node)
      continue
    }
    if (parent.kind === "new") continue
    if (!parent.active) {
      skipped.add(node)
      conflicts.push({
        kind: "parent-deactivated",
        path: node.path,
        message: `${node.path} cannot be created: its parent, ${describeParent(parent)}, stays deactivated.`,
        orgUids: [parent.org!.orgUid]
      })
      continue
    }
    if (!parent.blocked) continue
    let point = points.get(parent)
    if (point === undefined) {
      point = unblockPoint(parent)
      points.set(parent, point)
    }
    if (point._tag === "Refuse") {
      skipped.add(node)
      conflicts.push({ ...point.conflict, path: node.path })
    } else {
      chosen.add(point.node)
    }
  }
  const covered = (node: Node) => {
    for (let up = node.parent; up !== undefined; up = up.parent) if (chosen.has(up)) return true
    return false
  }
  for (const point of [...chosen].filter((point) => !covered(point)).sort(byPosition)) unblock(point, "desired")
  unblocks.sort((a, b) => byPosition(a.node, b.node))

  // Creates, parents first; an org whose parent is created too names it by path (`parentOrgUid` null).
  const creates: Array<Change> = []
  for (const node of ordered) {
    if (node.kind !== "new" || skipped.has(node)) continue
    const desired = node.desired!
    const after: Fields = {
      name: desired.name,
      ...(desired.extRef !== undefined ? { extRef: desired.extRef } : {}),
      ...(desired.notes !== undefined ? { notes: desired.notes } : {})
    }
    creates.push(change(node, "create", { before: null, after }, [], "desired"))
  }

  // Updates: only the fields that differ, and extRef/notes only where the file manages them.
  const updates: Array<Change> = []
  for (const node of ordered) {
    if (node.kind !== "managed") continue
    const desired = node.desired!
    const org = node.org!
    const fields: Array<{
      readonly key: "name" | "extRef" | "notes"
      readonly from: string | null
      readonly to: string | null
    }> = []
    // Code42 may rename an org it deactivates (`<name> deactivated <date>`): that name is not drift, and an org
    // that stays deactivated is never renamed.
    const staysDeactivated = !node.active && node.target === "deactivated"
    if (org.orgName.trim() !== desired.name && !staysDeactivated) {
      fields.push({ key: "name", from: org.orgName, to: desired.name })
    }
    const extRef = org.orgExtRef || null
    if (desired.extRef !== undefined && extRef !== (desired.extRef || null)) {
      fields.push({ key: "extRef", from: extRef, to: desired.extRef })
    }
    const notes = org.notes || null
    if (desired.notes !== undefined && notes !== (desired.notes || null)) {
      fields.push({ key: "notes", from: notes, to: desired.notes })
    }
    if (fields.length === 0) continue
    const applied = identityByUid.get(org.orgUid)?.applied
    const drift = applied !== undefined && fields.every(({ key, to }) => applied[key] === to)
    updates.push(change(
      node,
      "update",
      {
        before: Object.fromEntries(fields.map(({ from, key }) => [key, from])),
        after: Object.fromEntries(fields.map(({ key, to }) => [key, to]))
      },
      [],
      drift ? "drift" : "desired"
    ))
  }

  // Blocks and deactivations top-down: the topmost org that needs one, unless its cascade would reach an org
  // that must never be blocked or deactivated; then its descendants are handled one by one.
  const restrictions: Array<Change> = []
  const restrict = (node: Node, action: Restriction) => {
    const nodes = subtree(node, skipped)
    const reached = nodes.filter((n) => action === "deactivate" ? n.active : n.active && !n.blocked)
    const prune = node.kind === "unmanaged"
    const violator = reached.filter((n) => forbidden(n) !== undefined || (prune && n.kind !== "unmanaged"))
      .sort(byPosition)[0]
    if (violator !== undefined) {
      const kind = forbidden(violator)
      const what = kind === "protected" ? "a protected org" : "the signed-in user's org"
      if (kind !== undefined && (!prune || violator === node)) {
        conflicts.push({
          kind,
          path: node.path,
          message: prune
            ? `${node.path} is in no desired file, but prune never deactivates ${what}.`
            : violator === node
            ? `${node.path} must be ${node.target} but is ${what}.`
            : `${action === "block" ? "Blocking" : "Deactivating"} ${node.path} would reach ${violator.path}, ` +
              `${what}.`,
          orgUids: violator.org === undefined ? [] : [violator.org.orgUid]
        })
      }
      return
    }
    if (prune) for (const n of reached) pruned.add(n)
    restrictions.push(cascade(
      node,
      action,
      nodes,
      action === "block" ? (n) => (n.blocked = true) : (n) => (n.active = false),
      statusCause(node)
    ))
  }
  for (const node of ordered) {
    if (skipped.has(node) || !node.active) continue
    if (node.target === "deactivated") restrict(node, "deactivate")
    else if (node.target === "blocked" && !node.blocked && !kept.has(node)) restrict(node, "block")
  }

  return {
    changes: [...reactivations, ...unblocks.map((u) => u.change), ...creates, ...updates, ...restrictions],
    pruned
  }
}

/** An empty plan: what the pure planner answers when it cannot even find the managed root. */
const rootMissing = (rootUid: string | undefined): Plan => ({
  changes: [],
  conflicts: [],
  unmanaged: [],
  refusal: {
    reason: "root-missing",
    message: rootUid === undefined
      ? "Code42 has no top-level org to manage."
      : `The managed root ${rootUid} is not in Code42: check \`root\` in the desired files.`
  },
  resolved: [],
  rootOrgUid: rootUid ?? "",
  managedCount: 0,
  restricted: 0
})

/**
 * Plans the fewest calls that make the remote tree under the managed root match the desired tree. Pure and
 * deterministic: the same input gives the same plan, in the order apply must follow.
 */
export const make = (input: PlanInput): Plan => {
  const remote = indexRemote(input.remote)
  const rootUid = input.desired.root ?? remote.topLevel?.orgUid
  const rootOrg = rootUid === undefined ? undefined : remote.byUid.get(rootUid)
  if (rootOrg === undefined) return rootMissing(rootUid)

  const tree = buildTree(rootOrg, remote.children)
  const managedCount = tree.byUid.size - 1
  // An empty desired tree is far more often a broken checkout than a wish to prune everything.
  const emptyDesired = input.desired.orgs.length === 0 && managedCount > 0
  const conflicts: Array<Conflict> = []
  const reserved = identify(input, remote.byUid, tree, conflicts)
  const ordered = classify(tree, reserved, emptyDesired ? "report" : input.desired.prune)
  const { changes, pruned } = converge(ordered, input, conflicts)

  const restricted = ordered.filter((node) =>
    node.original !== undefined && severity[statusOf(node)] > severity[node.original]
  ).length

  return {
    changes,
    conflicts: conflicts.sort((a, b) => depthOf(a.path) - depthOf(b.path) || compare(a.path, b.path) ||
      compare(a.kind, b.kind)),
    unmanaged: ordered.filter((node) => node.kind === "unmanaged").map((node) => ({
      path: node.path,
      orgUid: node.org!.orgUid,
      orgName: node.org!.orgName,
      status: node.original!,
      action: pruned.has(node) ? "deactivate" : "report"
    })),
    refusal: undefined,
    resolved: ordered.filter((node) => node.kind === "managed").map((node) => ({
      path: node.path,
      orgUid: node.org!.orgUid
    })),
    rootOrgUid: rootOrg.orgUid,
    managedCount,
    restricted
  }
}
