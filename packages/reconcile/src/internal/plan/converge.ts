/**
 * Converging: the calls, phase by phase (reactivate, unblock, create, update, then block and deactivate),
 * simulated on the tree so that each phase sees what the earlier ones did (code42-api.md section 8).
 */
import type { Change, Conflict, PlanInput } from "../../PlanModel.js"
import { cannotBlock, unsupported } from "./cannotBlock.js"
import { creates, unblockForCreates } from "./creates.js"
import {
  cascade,
  change,
  type Converging,
  converging,
  describeForbidden,
  forbidden,
  statusCause,
  unblock
} from "./simulation.js"
import { byPosition, describeParent, type Node, subtree } from "./tree.js"

/** Reactivate top-down: an org is reactivated alone, and only under an active parent. */
const reactivations = (at: Converging): ReadonlyArray<Change> => {
  const changes: Array<Change> = []
  for (const node of at.ordered) {
    if (node.kind !== "managed" || node.active || node.target === "deactivated") continue
    if (at.kept.has(node)) {
      // Nothing is created under it either: its conflict covers its subtree.
      at.stuck.add(node)
      continue
    }
    const parent = node.parent!
    if (!parent.active) {
      if (!at.stuck.has(parent)) {
        at.conflicts.push({
          kind: "parent-deactivated",
          path: node.path,
          message: `${node.path} must be ${node.target} but its parent, ${describeParent(parent)}, stays deactivated.`,
          orgUids: [node.org!.orgUid]
        })
      }
      at.stuck.add(node)
      continue
    }
    changes.push(cascade(node, "reactivate", [node], (n) => (n.active = true), statusCause(at, node)))
  }
  return changes
}

/** Unblock top-down: the topmost org that must be active; its cascade clears its descendants. */
const unblockActive = (at: Converging): void => {
  for (const node of at.ordered) {
    if (!(node.kind === "managed" && node.target === "active" && node.active && node.blocked)) continue
    if (!at.canBlock) {
      at.conflicts.push(unsupported(
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
      at.conflicts.push({
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
    unblock(at, node, statusCause(at, node))
  }
}

type Field = { readonly key: "name" | "extRef" | "notes"; readonly from: string | null; readonly to: string | null }

/** The fields of a managed org that differ, extRef and notes only where the file manages them. */
const fieldsToUpdate = (node: Node): ReadonlyArray<Field> => {
  const desired = node.desired!
  const org = node.org!
  const fields: Array<Field> = []
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
  return fields
}

const update = (node: Node, fields: ReadonlyArray<Field>, cause: Change["cause"]): Change =>
  change(
    node,
    "update",
    {
      before: Object.fromEntries(fields.map(({ from, key }) => [key, from])),
      after: Object.fromEntries(fields.map(({ key, to }) => [key, to]))
    },
    [],
    cause
  )

/**
 * Updates: only the fields that differ; drift when they all go back to what orgsync last applied. Under
 * `drift: report`, the fields changed by hand (going back to what orgsync applied) are split from those the
 * files changed, so that the update the files ask for never reverts them.
 */
const updates = (at: Converging): ReadonlyArray<Change> => {
  const changes: Array<Change> = []
  for (const node of at.ordered) {
    if (node.kind !== "managed") continue
    const fields = fieldsToUpdate(node)
    if (fields.length === 0) continue
    const applied = at.identityByUid.get(node.org!.orgUid)?.applied
    const drifted = fields.filter(({ key, to }) => applied !== undefined && applied[key] === to)
    const wanted = fields.filter((field) => !drifted.includes(field))
    if (wanted.length === 0) changes.push(update(node, drifted, "drift"))
    else if (drifted.length === 0 || at.drift !== "report") changes.push(update(node, fields, "desired"))
    else changes.push(update(node, wanted, "desired"), update(node, drifted, "drift"))
  }
  return changes
}

/**
 * A block or deactivation of `node` and its subtree, unless its cascade would reach an org that must never be
 * blocked or deactivated (or, for a prune, a managed org): then nothing, and the orgs below are handled alone.
 */
const restrict = (at: Converging, node: Node, action: "block" | "deactivate"): Change | undefined => {
  const nodes = subtree(node, at.skipped)
  const reached = nodes.filter((n) => action === "deactivate" ? n.active : n.active && !n.blocked)
  const prune = node.kind === "unmanaged"
  const violator = reached.filter((n) => forbidden(at, n) !== undefined || (prune && n.kind !== "unmanaged"))
    .sort(byPosition)[0]
  if (violator !== undefined) {
    const kind = forbidden(at, violator)
    const what = describeForbidden(kind)
    if (kind !== undefined && (!prune || violator === node)) {
      at.conflicts.push({
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
    return undefined
  }
  if (prune) for (const n of reached) at.pruned.add(n)
  return cascade(
    node,
    action,
    nodes,
    action === "block" ? (n) => (n.blocked = true) : (n) => (n.active = false),
    statusCause(at, node)
  )
}

/** Blocks and deactivations top-down: the topmost org that needs one. */
const restrictions = (at: Converging): ReadonlyArray<Change> => {
  const changes: Array<Change> = []
  for (const node of at.ordered) {
    if (at.skipped.has(node) || !node.active) continue
    const made = node.target === "deactivated"
      ? restrict(at, node, "deactivate")
      : node.target === "blocked" && !node.blocked && !at.kept.has(node)
      ? restrict(at, node, "block")
      : undefined
    if (made !== undefined) changes.push(made)
  }
  return changes
}

/** The plan's changes in the order apply follows, and the unmanaged orgs that prune deactivates. */
export const converge = (
  ordered: ReadonlyArray<Node>,
  input: PlanInput,
  conflicts: Array<Conflict>
): { readonly changes: ReadonlyArray<Change>; readonly pruned: ReadonlySet<Node> } => {
  const at = converging(ordered, input, conflicts)
  const reactivated = reactivations(at)
  unblockActive(at)
  unblockForCreates(at)
  at.unblocks.sort((a, b) => byPosition(a.node, b.node))
  const created = creates(at)
  const updated = updates(at)
  const restricted = restrictions(at)
  return {
    changes: [...reactivated, ...at.unblocks.map((u) => u.change), ...created, ...updated, ...restricted],
    pruned: at.pruned
  }
}
