/**
 * The org tree of the status page: the last remote snapshot (the state database's) joined with what the last
 * pass left to do, so that each org shows its status and what concerns it (pending, held, drifted, contested,
 * conflict), and each org above it how many such orgs it holds. It is answered one page of children at a
 * time, so that a tenant of 100,000 orgs opens as fast as one of ten.
 */
import { type OrgApi, OrgPath, type Plan, type Policy, RemoteTree } from "@c42/reconcile"

export type Badge = "pending" | "held" | "drifted" | "contested" | "conflict"

export const badges: ReadonlyArray<Badge> = ["pending", "held", "drifted", "contested", "conflict"]

/** `planned`: an org the plan creates, not in Code42 yet. */
export type OrgStatus = "active" | "blocked" | "deactivated" | "planned"

/** A change the policy keeps back (`destructive: confirm` or `never`), as far as the tree needs it. */
export interface HeldChange {
  readonly action: string
  readonly path: string
  readonly orgUid: string | null
  /** Why it is kept back; `awaiting-approval` when not told. */
  readonly reason?: Policy.Reason
}

const heldNote = (change: HeldChange): string => {
  switch (change.reason ?? "awaiting-approval") {
    case "awaiting-approval":
      return `${change.action} held for approval`
    case "rejected":
      return `${change.action} rejected, held`
    case "never":
      return `${change.action} never applied (destructive: never)`
    case "drift":
      return `${change.action} not reverted (drift: report)`
  }
}

export interface TreeNode {
  /** `null` for an org the plan creates. */
  readonly orgUid: string | null
  readonly name: string
  readonly path: string
  readonly status: OrgStatus
  /** Its children in the snapshot (and those the plan creates). */
  readonly children: number
  readonly badges: ReadonlyArray<Badge>
  /** What concerns it, in words: the planned actions, the conflicts' messages. */
  readonly notes: ReadonlyArray<string>
  /** How many orgs below it carry each badge. */
  readonly below: Readonly<Partial<Record<Badge, number>>>
}

export interface TreePage {
  /** When the snapshot was taken; `null` before the first pass read Code42. */
  readonly snapshotAt: string | null
  /** The managed root, whose children are the tree's top level. */
  readonly root: { readonly orgUid: string; readonly name: string } | null
  /** The org whose children these are; `null` for the top level. */
  readonly under: string | null
  readonly offset: number
  /** Children in all: `nodes` is the page from `offset`. */
  readonly total: number
  readonly nodes: ReadonlyArray<TreeNode>
}

export interface Tree {
  readonly snapshotAt: Date | undefined
  readonly root: Entry | undefined
  readonly byUid: ReadonlyMap<string, Entry>
}

/** An org of the tree. What concerns it is allocated only for the orgs it concerns: most orgs have nothing. */
class Entry {
  children: Array<Entry> | undefined
  badges: Set<Badge> | undefined
  notes: Array<string> | undefined
  below: Partial<Record<Badge, number>> | undefined
  constructor(
    readonly orgUid: string | null,
    readonly name: string,
    readonly path: string,
    readonly status: OrgStatus,
    readonly parent: Entry | undefined
  ) {
    parent?.adopt(this)
  }
  adopt(child: Entry) {
    if (this.children === undefined) this.children = [child]
    else this.children.push(child)
  }
}

/** Most children answered at once. */
export const maxLimit = 500

const byName = (a: Entry, b: Entry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/** The managed orgs of the snapshot, from the plan's root (or the tenant's top-level org) down. */
const index = (orgs: ReadonlyArray<OrgApi.RemoteOrg>, rootOrgUid: string | undefined) => {
  const { byUid, children, topLevel } = RemoteTree.index(orgs)
  const top = (rootOrgUid === undefined ? undefined : byUid.get(rootOrgUid)) ?? topLevel
  const entries = new Map<string, Entry>()
  const byPath = new Map<string, Entry>()
  if (top === undefined) return { root: undefined, entries, byPath }
  const root = new Entry(top.orgUid, top.orgName, "", RemoteTree.statusOf(top), undefined)
  entries.set(top.orgUid, root)
  const queue: Array<Entry> = [root]
  for (let i = 0; i < queue.length; i++) {
    const parent = queue[i]!
    for (const org of children.get(parent.orgUid!) ?? []) {
      if (entries.has(org.orgUid)) continue
      const path = OrgPath.child(parent.path, org.orgName)
      const child = new Entry(org.orgUid, org.orgName, path, RemoteTree.statusOf(org), parent)
      entries.set(org.orgUid, child)
      if (!byPath.has(path)) byPath.set(path, child)
      queue.push(child)
    }
  }
  return { root, entries, byPath }
}

const mark = (target: Entry | undefined, badge: Badge, note?: string) => {
  if (target === undefined) return
  if (target.badges === undefined) target.badges = new Set([badge])
  else target.badges.add(badge)
  if (note === undefined) return
  if (target.notes === undefined) target.notes = [note]
  else if (!target.notes.includes(note)) target.notes.push(note)
}

/** Builds the tree of the snapshot with the plan's changes and conflicts, and the held changes, on it. */
export const make = (
  snapshot: { readonly takenAt: Date; readonly orgs: ReadonlyArray<OrgApi.RemoteOrg> } | undefined,
  plan: Plan.Plan | undefined,
  held: ReadonlyArray<HeldChange> = []
): Tree => {
  const { byPath, entries, root } = index(snapshot?.orgs ?? [], plan?.rootOrgUid)
  const find = (orgUid: string | null, path: string) =>
    (orgUid === null ? undefined : entries.get(orgUid)) ?? byPath.get(path)
  // The nearest org of the snapshot above a path: where an org the plan creates is shown.
  const nearest = (path: string): Entry | undefined => {
    for (let names = OrgPath.split(path).slice(0, -1); names.length > 0; names = names.slice(0, -1)) {
      const found = byPath.get(OrgPath.join(names))
      if (found !== undefined) return found
    }
    return root
  }
  // Orgs the plan creates, then (below) every org something concerns.
  const marked: Array<Entry> = []
  for (const change of plan?.changes ?? []) {
    const cause = change.cause === "drift" ? " (changed in Code42 by hand)" : ""
    if (change.action === "create") {
      const parent = (change.parentOrgUid === null ? undefined : entries.get(change.parentOrgUid)) ??
        nearest(change.path)
      if (parent === undefined) continue
      const names = OrgPath.split(change.path).slice(OrgPath.split(parent.path).length)
      const planned = new Entry(null, OrgPath.join(names), change.path, "planned", parent)
      planned.notes = ["create"]
      planned.badges = new Set(["pending"])
      marked.push(planned)
      continue
    }
    const target = find(change.orgUid, change.path)
    const reach = change.cascadesTo.length > 0 ? ` (and ${change.cascadesTo.length} below)` : ""
    mark(target, "pending", `${change.action}${reach}${cause}`)
    if (change.cause === "drift") mark(target, "drifted")
    for (const path of change.cascadesTo) mark(byPath.get(path), "pending", `${change.action} with ${change.path}`)
  }
  for (const conflict of plan?.conflicts ?? []) {
    const badge: Badge = conflict.kind === "contested" ? "contested" : "conflict"
    const targets = conflict.orgUids.map((uid) => entries.get(uid)).filter((found) => found !== undefined)
    for (const target of targets.length > 0 ? targets : [byPath.get(conflict.path)]) {
      mark(target, badge, conflict.message)
    }
  }
  for (const change of held) mark(find(change.orgUid, change.path), "held", heldNote(change))
  for (const found of entries.values()) found.children?.sort(byName)
  // Each org above a marked one counts it, once per badge.
  for (const found of entries.values()) if (found.badges !== undefined) marked.push(found)
  for (const found of marked) {
    for (let above = found.parent; above !== undefined; above = above.parent) {
      above.below ??= {}
      for (const badge of found.badges!) above.below[badge] = (above.below[badge] ?? 0) + 1
    }
  }
  return { snapshotAt: snapshot?.takenAt, root, byUid: entries }
}

const nodeOf = (found: Entry): TreeNode => ({
  orgUid: found.orgUid,
  name: found.name,
  path: found.path,
  status: found.status,
  children: found.children?.length ?? 0,
  badges: badges.filter((badge) => found.badges?.has(badge)),
  notes: found.notes ?? [],
  below: found.below ?? {}
})

/**
 * The children of `under` (the managed root when `undefined`) from `offset`, at most `limit`; `undefined`
 * when `under` is no org of the tree.
 */
export const page = (
  tree: Tree,
  options: { readonly under?: string | undefined; readonly offset?: number; readonly limit?: number }
): TreePage | undefined => {
  const parent = options.under === undefined ? tree.root : tree.byUid.get(options.under)
  if (options.under !== undefined && parent === undefined) return undefined
  const offset = Math.max(0, options.offset ?? 0)
  const limit = Math.min(maxLimit, Math.max(1, options.limit ?? 100))
  const children = parent?.children ?? []
  return {
    snapshotAt: tree.snapshotAt?.toISOString() ?? null,
    root: tree.root === undefined ? null : { orgUid: tree.root.orgUid!, name: tree.root.name },
    under: options.under ?? null,
    offset,
    total: children.length,
    nodes: children.slice(offset, offset + limit).map(nodeOf)
  }
}
