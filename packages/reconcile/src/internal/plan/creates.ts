/**
 * The creates, parents first. A create needs an active, unblocked parent: a blocked one that must stay blocked
 * is unblocked for the creates and blocked again afterwards, as high up as that is safe, so that one unblock
 * serves many creates.
 */
import type { Fields } from "../../Identity.js"
import type { Change, Conflict } from "../../PlanModel.js"
import { cannotBlock } from "./cannotBlock.js"
import { change, type Converging, describeForbidden, forbidden, unblock } from "./simulation.js"
import { byPosition, describeParent, type Node, subtree } from "./tree.js"

/** The nodes with an active org that must never be blocked at or under them: no cascade may start there. */
const guardedNodes = (at: Converging): ReadonlySet<Node> => {
  const guarded = new Set<Node>()
  for (let i = at.ordered.length - 1; i >= 0; i--) {
    const node = at.ordered[i]!
    if (node.active && forbidden(at, node) !== undefined) guarded.add(node)
    if (guarded.has(node)) guarded.add(node.parent!)
  }
  return guarded
}

/** Where to unblock for the creates under a blocked parent, or why that cannot be done. */
type Point =
  | { readonly _tag: "Unblock"; readonly node: Node }
  | { readonly _tag: "Refuse"; readonly conflict: Omit<Conflict, "path"> }

const refuse = (conflict: Omit<Conflict, "path">): Point => ({ _tag: "Refuse", conflict })

const unblockPoint = (at: Converging, guarded: ReadonlySet<Node>, parent: Node): Point => {
  if (!at.canBlock) {
    return refuse({
      kind: "unsupported",
      message: `Creating under ${describeParent(parent)} needs it unblocked, but ${cannotBlock} unblock it.`,
      orgUids: [parent.org!.orgUid]
    })
  }
  if (parent.kind !== "managed") {
    return refuse({
      kind: "parent-blocked",
      message: `The managed root ${parent.org!.orgName} (${parent.org!.orgUid}) is blocked, and orgsync never ` +
        "changes the root: unblock it in Code42.",
      orgUids: [parent.org!.orgUid]
    })
  }
  if (guarded.has(parent)) {
    const found = subtree(parent, at.skipped).filter((n) => n.active && forbidden(at, n) !== undefined)
      .sort(byPosition)[0]!
    const kind = forbidden(at, found)!
    return refuse({
      kind,
      message: `Creating under ${parent.path} needs it unblocked and blocked again, which would block ` +
        `${found.path}, ${describeForbidden(kind)}.`,
      orgUids: found.org === undefined ? [] : [found.org.orgUid]
    })
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

/**
 * Skips the creates that cannot happen (with a conflict for each) and unblocks what the others need, the
 * topmost points only: an unblock's cascade serves every create below it.
 */
export const unblockForCreates = (at: Converging): void => {
  const guarded = guardedNodes(at)
  const points = new Map<Node, Point>()
  const chosen = new Set<Node>()
  for (const node of at.ordered) {
    if (node.kind !== "new") continue
    const parent = node.parent!
    if (at.skipped.has(parent) || at.stuck.has(parent)) {
      at.skipped.add(node)
      continue
    }
    if (parent.kind === "new") continue
    if (!parent.active) {
      at.skipped.add(node)
      at.conflicts.push({
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
      point = unblockPoint(at, guarded, parent)
      points.set(parent, point)
    }
    if (point._tag === "Refuse") {
      at.skipped.add(node)
      at.conflicts.push({ ...point.conflict, path: node.path })
    } else {
      chosen.add(point.node)
    }
  }
  const covered = (node: Node) => {
    for (let up = node.parent; up !== undefined; up = up.parent) if (chosen.has(up)) return true
    return false
  }
  for (const point of [...chosen].filter((point) => !covered(point)).sort(byPosition)) unblock(at, point, "desired")
}

/** The creates, parents first; an org whose parent is created too names it by path (`parentOrgUid` null). */
export const creates = (at: Converging): ReadonlyArray<Change> => {
  const changes: Array<Change> = []
  for (const node of at.ordered) {
    if (node.kind !== "new" || at.skipped.has(node)) continue
    const desired = node.desired!
    const after: Fields = {
      name: desired.name,
      ...(desired.extRef !== undefined ? { extRef: desired.extRef } : {}),
      ...(desired.notes !== undefined ? { notes: desired.notes } : {})
    }
    changes.push(change(node, "create", { before: null, after }, [], "desired"))
  }
  return changes
}
