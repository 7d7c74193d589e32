/**
 * A family that cannot block (the gateway): what the plan does instead of a block or an unblock there, and the
 * `unsupported` conflicts that say so.
 */
import { plural } from "../../PlanFormat.js"
import type { Conflict } from "../../PlanModel.js"
import type { Node } from "./tree.js"

/** How many of the orgs held back below a conflict its message names. */
const named = 10

/** The orgs below `node` that this plan would create, in the files' order. */
const newBelow = (node: Node): ReadonlyArray<Node> => {
  const found: Array<Node> = []
  const stack = [...node.children].reverse()
  while (stack.length > 0) {
    const next = stack.pop()!
    if (next.kind === "new") found.push(next)
    for (let i = next.children.length - 1; i >= 0; i--) stack.push(next.children[i]!)
  }
  return found
}

/** "; 2 orgs below it are not created either: A/B, A/C", or nothing. */
const heldBelow = (node: Node): string => {
  const below = newBelow(node)
  if (below.length === 0) return ""
  const more = below.length > named ? ` and ${below.length - named} more` : ""
  return `; ${plural(below.length, "org")} below it ${below.length === 1 ? "is" : "are"} not created either: ` +
    `${below.slice(0, named).map((n) => n.path).join(", ")}${more}`
}

/** Completed by the verb the plan would need: "... use `api: v3` to block it". */
export const cannotBlock = "the gateway API family cannot block or unblock orgs; use `api: v3` to"

export const unsupported = (path: string, message: string, node: Node): Conflict => ({
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
export const keptFromBlocking = (ordered: ReadonlyArray<Node>, conflicts: Array<Conflict>): ReadonlySet<Node> => {
  const kept = new Set<Node>()
  // `ordered` is top-down: a parent is seen before its children.
  for (const node of ordered) {
    if (node.target !== "blocked" || (node.kind !== "managed" && node.kind !== "new")) continue
    kept.add(node)
    if (kept.has(node.parent!)) continue
    const now = node.org === undefined
      ? "it is not created, since it would be active"
      : `it stays ${node.original} in Code42`
    conflicts.push(
      unsupported(node.path, `${node.path} must be blocked, but ${cannotBlock} block it; ${now}${heldBelow(node)}.`, node)
    )
  }
  return kept
}
