/**
 * The planner's tree: the remote orgs under the managed root as nodes that the plan's phases annotate (which
 * desired org each one is, the status it must reach) and on which they simulate their calls.
 */
import type { DesiredOrg, Status } from "../../Desired.js"
import type { RemoteOrg } from "../../OrgApi.js"
import * as OrgPath from "../../OrgPath.js"
import * as RemoteTree from "../../RemoteTree.js"

export const severity: Record<Status, number> = { active: 0, blocked: 1, deactivated: 2 }

export const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

export const depthOf = (path: string): number => OrgPath.split(path).length

/** Keeps the first value for each key, so that duplicates in the input never change the answer. */
export const firstBy = <A>(values: ReadonlyArray<A>, key: (value: A) => string): ReadonlyMap<string, A> => {
  const map = new Map<string, A>()
  for (const value of values) if (!map.has(key(value))) map.set(key(value), value)
  return map
}

/**
 * What the planner knows of an org under the managed root: a remote org, or one this plan creates. The
 * mutable part is the simulation of the remote tree through the plan's calls.
 */
export interface Node {
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
  original: RemoteTree.statusOf(org),
  kind: parent === undefined ? "root" : "unmanaged",
  desired: undefined,
  path: "",
  target: undefined,
  active: org.active !== false,
  blocked: org.blocked === true
})

/** An org this plan creates under `parent`: active and unblocked, as Code42 creates it. */
export const newNode = (parent: Node): Node => {
  const node: Node = {
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
  return node
}

export interface Tree {
  readonly root: Node
  /** Every remote org under the managed root, the root included. */
  readonly byUid: ReadonlyMap<string, Node>
}

export const buildTree = (rootOrg: RemoteOrg, children: RemoteTree.Index["children"]): Tree => {
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
export const byPosition = (a: Node, b: Node): number =>
  a.depth - b.depth || compare(a.path, b.path) || compare(a.org?.orgUid ?? "", b.org?.orgUid ?? "")

/** The node and every node below it, less the skipped ones and what is below them. */
export const subtree = (node: Node, skipped: ReadonlySet<Node>): ReadonlyArray<Node> => {
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

/** `<name> deactivated <ISO date>` is the name Code42 gives an org it deactivates: the name before it. */
export const nameBeforeDeactivation = (remoteName: string): string | undefined =>
  /^(.*) deactivated \d{4}-\d{2}-\d{2}\S*$/s.exec(remoteName)?.[1]

export const describeParent = (node: Node): string => node.kind === "root" ? "the managed root" : node.path
