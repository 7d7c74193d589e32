/**
 * Identifying: which remote org each desired org is (by pin, by the identity mapping, then by name under its
 * parent), which ones this plan creates, and which conflicts leave an org and its subtree alone. Then the
 * remote orgs no desired org claims are named and classified.
 */
import type { DesiredOrg, Prune } from "../../Desired.js"
import type { RemoteOrg } from "../../OrgApi.js"
import * as OrgPath from "../../OrgPath.js"
import type { Conflict, ConflictKind, Identity, PlanInput } from "../../PlanModel.js"
import {
  byPosition,
  compare,
  describeParent,
  firstBy,
  nameBeforeDeactivation,
  newNode,
  type Node,
  type Tree
} from "./tree.js"

type Identified =
  | { readonly _tag: "Found"; readonly node: Node }
  | { readonly _tag: "New" }
  | { readonly _tag: "Conflict"; readonly conflict: Conflict }

const conflict = (kind: ConflictKind, path: string, message: string, orgUids: ReadonlyArray<string>): Identified => ({
  _tag: "Conflict",
  conflict: { kind, path, message, orgUids }
})

/** The orgs that pins and the identity mapping claim before any name match may take them. */
interface Claims {
  /** The desired org that pins each uid first. */
  readonly pinnedBy: ReadonlyMap<string, DesiredOrg>
  /** The desired org that the mapping gives each uid first. */
  readonly mappedBy: ReadonlyMap<string, DesiredOrg>
  /** The uid the mapping gives each desired org. */
  readonly mapped: ReadonlyMap<DesiredOrg, string>
}

/**
 * A mapped path may be an old one: a parent renamed by `previously` carries its children's paths with it, so
 * each org is looked up under every path its parent may have had.
 */
const claimsOf = (input: PlanInput): Claims => {
  const identityByPath = firstBy(input.identities, (identity) => identity.path)
  const identityByUid = firstBy(input.identities, (identity) => identity.orgUid)
  const pinnedBy = new Map<string, DesiredOrg>()
  const mappedBy = new Map<string, DesiredOrg>()
  const mapped = new Map<DesiredOrg, string>()
  // Top-down, each org beside the paths its parent may have had (the first is the parent's own path).
  const pending: Array<DesiredOrg> = [...input.desired.orgs]
  const topLevel: ReadonlyArray<string> = [""]
  const parentPathsOf: Array<ReadonlyArray<string>> = pending.map(() => topLevel)
  /** The path of `org` under `parentPath` by `name`: its own path under its parent's own path and name. */
  const pathOf = (org: DesiredOrg, parentPaths: ReadonlyArray<string>, parentPath: string, name: string) =>
    parentPath === parentPaths[0] && name === org.name ? org.path : OrgPath.child(parentPath, name)
  for (let i = 0; i < pending.length; i++) {
    const org = pending[i]!
    const parentPaths = parentPathsOf[i]!
    if (org.uid !== undefined && !pinnedBy.has(org.uid)) pinnedBy.set(org.uid, org)
    let identity: Identity | undefined
    for (const parentPath of parentPaths) {
      identity ??= identityByPath.get(pathOf(org, parentPaths, parentPath, org.name))
      for (const name of org.previously) identity ??= identityByPath.get(pathOf(org, parentPaths, parentPath, name))
    }
    if (identity !== undefined) {
      mapped.set(org, identity.orgUid)
      if (!mappedBy.has(identity.orgUid)) mappedBy.set(identity.orgUid, org)
    }
    const pinnedPath = org.uid === undefined ? undefined : identityByUid.get(org.uid)?.path
    const paths = [org.path]
    if (identity !== undefined && identity.path !== org.path) paths.push(identity.path)
    if (pinnedPath !== undefined && !paths.includes(pinnedPath)) paths.push(pinnedPath)
    for (const child of org.children) {
      pending.push(child)
      parentPathsOf.push(paths)
    }
  }
  return { pinnedBy, mappedBy, mapped }
}

/** Whether `org` may take the remote org `uid`: no other desired org pins it or is mapped to it. */
const claimable = (claims: Claims, uid: string, org: DesiredOrg): boolean =>
  (claims.pinnedBy.get(uid) ?? org) === org && (claims.mappedBy.get(uid) ?? org) === org

/**
 * The remote children of a parent under a name, indexed once per parent on first use: a parent with 100,000
 * children is never scanned once per desired org.
 */
const childrenBy = (nameOf: (org: RemoteOrg) => string | undefined) => {
  const indexes = new Map<Node, Map<string, Array<Node>>>()
  return (parent: Node, name: string): ReadonlyArray<Node> => {
    let index = indexes.get(parent)
    if (index === undefined) {
      index = new Map()
      for (const child of parent.children) {
        const key = child.org === undefined ? undefined : nameOf(child.org)
        if (key === undefined) continue
        const same = index.get(key)
        if (same === undefined) index.set(key, [child])
        else same.push(child)
      }
      indexes.set(parent, index)
    }
    return index.get(name) ?? []
  }
}

interface Identifying {
  readonly tree: Tree
  /** Every org of the tenant, under the managed root or not. */
  readonly everyOrg: ReadonlyMap<string, RemoteOrg>
  readonly claims: Claims
  readonly named: (parent: Node, name: string) => ReadonlyArray<Node>
  /** A deactivated org is also found under the name it had before Code42 renamed it when deactivating it. */
  readonly deactivatedAs: (parent: Node, name: string) => ReadonlyArray<Node>
}

const identifying = (input: PlanInput, everyOrg: ReadonlyMap<string, RemoteOrg>, tree: Tree): Identifying => ({
  tree,
  everyOrg,
  claims: claimsOf(input),
  // Code42 trims the names it stores: a name stored with spaces around it is matched without them.
  named: childrenBy((org) => org.orgName.trim()),
  deactivatedAs: childrenBy((org) => org.active ? undefined : nameBeforeDeactivation(org.orgName))
})

/** The org `node` as `org` under `parent`, unless another desired org has it or it sits elsewhere. */
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
const twinned = (at: Identifying, org: DesiredOrg, parent: Node, node: Node): Identified | undefined => {
  const twins = at.named(parent, node.org!.orgName.trim()).filter((other) =>
    other !== node && other.org!.active && other.kind !== "managed" && claimable(at.claims, other.org!.orgUid, org)
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

/** A pinned org: the pin decides, wherever the org is. */
const resolvePinned = (at: Identifying, org: DesiredOrg, uid: string, parent: Node): Identified => {
  const node = at.tree.byUid.get(uid)
  if (node !== undefined && node !== at.tree.root) return place(org, parent, node)
  return at.everyOrg.has(uid)
    ? conflict("pin-outside-root", org.path, `The pinned org ${uid} is not under the managed root.`, [uid])
    : conflict("pin-missing", org.path, `The pinned org ${uid} is not in Code42.`, [uid])
}

/** The org the identity mapping names, or `undefined` when the mapping is stale or absent. */
const resolveMapped = (at: Identifying, org: DesiredOrg, parent: Node): Identified | undefined => {
  const uid = at.claims.mapped.get(org)
  const node = uid === undefined ? undefined : at.tree.byUid.get(uid)
  // A mapping to an org that is gone or no longer under the root is stale: the name decides instead.
  if (node === undefined || node === at.tree.root || node.kind === "managed" || !claimable(at.claims, uid!, org)) {
    return undefined
  }
  const placed = place(org, parent, node)
  return placed._tag === "Found" ? twinned(at, org, parent, node) ?? placed : placed
}

const resolveByName = (at: Identifying, org: DesiredOrg, parent: Node): Identified => {
  if (parent.kind === "new") return { _tag: "New" }
  // Every org of the names, once, in the order found.
  const candidates: Array<Node> = []
  const seen = new Set<Node>()
  const take = (nodes: ReadonlyArray<Node>) => {
    for (const node of nodes) {
      if (seen.has(node)) continue
      seen.add(node)
      if (node.kind !== "managed" && claimable(at.claims, node.org!.orgUid, org)) candidates.push(node)
    }
  }
  for (const name of [org.name, ...org.previously]) {
    take(at.named(parent, name))
    take(at.deactivatedAs(parent, name))
  }
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

const resolve = (at: Identifying, org: DesiredOrg, parent: Node): Identified =>
  org.uid !== undefined
    ? resolvePinned(at, org, org.uid, parent)
    : resolveMapped(at, org, parent) ?? resolveByName(at, org, parent)

/** The orgs a desired subtree left alone pins or is mapped to: reserved, so never unmanaged nor pruned. */
const leaveAlone = (claims: Claims, org: DesiredOrg, reserved: Set<string>): void => {
  const stack = [org]
  while (stack.length > 0) {
    const next = stack.pop()!
    if (next.uid !== undefined) reserved.add(next.uid)
    const uid = claims.mapped.get(next)
    if (uid !== undefined) reserved.add(uid)
    for (const child of next.children) stack.push(child)
  }
}

/**
 * Resolves every desired org to a remote org, to a create, or to a conflict (the org and its desired subtree
 * are then left alone). Marks the resolved nodes `managed`, adds `new` nodes for the creates, and answers the
 * orgUids that conflicts reserve: they and their remote subtrees are neither unmanaged nor pruned.
 */
export const identify = (
  input: PlanInput,
  everyOrg: ReadonlyMap<string, RemoteOrg>,
  tree: Tree,
  conflicts: Array<Conflict>
): ReadonlySet<string> => {
  const at = identifying(input, everyOrg, tree)
  const reserved = new Set<string>()
  const queue: Array<{ readonly org: DesiredOrg; readonly parent: Node }> = input.desired.orgs
    .map((org) => ({ org, parent: tree.root }))
  for (let i = 0; i < queue.length; i++) {
    const { org, parent } = queue[i]!
    const identified = resolve(at, org, parent)
    if (identified._tag === "Conflict") {
      conflicts.push(identified.conflict)
      for (const uid of identified.conflict.orgUids) reserved.add(uid)
      leaveAlone(at.claims, org, reserved)
      continue
    }
    const node = identified._tag === "Found" ? identified.node : newNode(parent)
    if (identified._tag === "Found") node.kind = "managed"
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
export const classify = (tree: Tree, reserved: ReadonlySet<string>, prune: Prune): ReadonlyArray<Node> => {
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
