/**
 * The plan's calls simulated on the tree: what the converge phases share (the orgs they skip, the unblocks
 * chosen so far), how a call is recorded as a change with the descendants its cascade reaches, and which orgs
 * must never be blocked or deactivated.
 */
import type { Fields } from "../../Identity.js"
import type { Action, Cause, Change, Conflict, ConflictKind, Identity, PlanInput } from "../../PlanModel.js"
import * as RemoteTree from "../../RemoteTree.js"
import { keptFromBlocking } from "./cannotBlock.js"
import { byPosition, firstBy, type Node, subtree } from "./tree.js"

export interface Converging {
  /** Every node under the root, top-down. */
  readonly ordered: ReadonlyArray<Node>
  readonly conflicts: Array<Conflict>
  readonly identityByUid: ReadonlyMap<string, Identity>
  readonly statusWritten: ReadonlyMap<string, string | null>
  readonly currentOrgUid: string | undefined
  readonly canBlock: boolean
  /** Whether fields changed by hand are left as found (`report`) or set back (`heal`). */
  readonly drift: "heal" | "report"
  /** Creates that cannot happen, and what is below them: no call reaches them. */
  readonly skipped: Set<Node>
  /** Orgs that stay deactivated (or keep their status) though the files want them back: nothing goes below. */
  readonly stuck: Set<Node>
  /** Unmanaged orgs that prune deactivates, directly or by cascade. */
  readonly pruned: Set<Node>
  /** On a family that cannot block, the orgs the files want blocked: they keep their status. */
  readonly kept: ReadonlySet<Node>
  /** The unblocks, in the order they were chosen; sorted top-down once the creates have added theirs. */
  readonly unblocks: Array<{ readonly node: Node; readonly change: Change }>
}

export const converging = (ordered: ReadonlyArray<Node>, input: PlanInput, conflicts: Array<Conflict>): Converging => {
  const canBlock = input.settings.canBlock !== false
  const kept = canBlock ? new Set<Node>() : keptFromBlocking(ordered, conflicts)
  const skipped = new Set<Node>()
  for (const node of kept) if (node.kind === "new") skipped.add(node)
  return {
    ordered,
    conflicts,
    identityByUid: firstBy(input.identities, (identity) => identity.orgUid),
    statusWritten: input.statusWritten ?? new Map(),
    currentOrgUid: input.settings.currentOrgUid,
    canBlock,
    drift: input.settings.drift ?? "heal",
    skipped,
    stuck: new Set(),
    pruned: new Set(),
    kept,
    unblocks: []
  }
}

/**
 * Drift: Code42 no longer has the status the file asked for, and still asks for, when this org converged, and
 * what it has is not what orgsync wrote last (its own unblock to create under the org is no hand change).
 */
export const statusCause = (at: Converging, node: Node): Cause =>
  node.kind === "managed" && node.original !== node.target &&
    at.identityByUid.get(node.org!.orgUid)?.applied?.status === node.target &&
    at.statusWritten.get(node.org!.orgUid) !== node.original
    ? "drift"
    : "desired"

export const change = (
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
export const cascade = (
  node: Node,
  action: Action,
  nodes: ReadonlyArray<Node>,
  apply: (node: Node) => void,
  cause: Cause
): Change => {
  const before = RemoteTree.statusOf(node)
  const was = nodes.map(RemoteTree.statusOf)
  for (const next of nodes) apply(next)
  const reached = nodes.filter((next, i) => next !== node && RemoteTree.statusOf(next) !== was[i]).sort(byPosition)
  const fields = { before: { status: before }, after: { status: RemoteTree.statusOf(node) } }
  return change(node, action, fields, reached.map((n) => n.path), cause)
}

/** Unblocks `node` and, by cascade, every blocked org below it that is not skipped. */
export const unblock = (at: Converging, node: Node, cause: Cause): void => {
  at.unblocks.push({
    node,
    change: cascade(node, "unblock", subtree(node, at.skipped), (n) => (n.blocked = false), cause)
  })
}

/** Why an org must never be blocked or deactivated, if it must not. */
export const forbidden = (at: Converging, node: Node): ConflictKind | undefined =>
  node.org !== undefined && node.org.orgUid === at.currentOrgUid
    ? "signed-in-org"
    : node.desired?.protect === true
    ? "protected"
    : undefined

/** How a conflict names the org that must never be blocked or deactivated. */
export const describeForbidden = (kind: ConflictKind | undefined): string =>
  kind === "protected" ? "a protected org" : "the signed-in user's org"
