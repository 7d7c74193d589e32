/**
 * The changes of the rate-limit scenarios: a given number of edits to an imported `orgs.yaml`, spread over the
 * tenant and mixed like real work (new teams, notes, blocks, unblocks, deactivations, reactivations). Each edit
 * costs exactly one call whatever the tool (leaves only for status changes, creates under open parents), so the
 * minimum number of writes is the number of edits and the tools differ only in how they find and pace them.
 */
import { OrgPath } from "@c42/reconcile"
import { Either } from "effect"
import { PCGRandom } from "effect/Utils"
import * as Yaml from "yaml"
import { BenchError } from "./BenchError.js"

export type Edit = "create" | "update" | "block" | "unblock" | "deactivate" | "reactivate"

/** What the edits need to know of a remote org. */
export interface RemoteOrg {
  readonly orgId: number
  readonly orgUid: string
  readonly parentOrgUid?: string | null | undefined
  readonly active?: boolean | undefined
  readonly blocked?: boolean | undefined
}

/** One org of an `orgs.yaml` as `orgsync import` writes it. */
interface Entry {
  name: string
  uid?: string
  extRef?: string
  notes?: string
  status?: "active" | "blocked" | "deactivated"
  children?: Array<Entry>
}

interface Document {
  root?: string
  orgs: Array<Entry>
}

export interface ChangeSet {
  /** The edited `orgs.yaml`. */
  readonly yaml: string
  /** The desired paths the edits touch (new orgs included). */
  readonly changedPaths: ReadonlyArray<string>
  readonly counts: Readonly<Record<Edit, number>>
}

/** Shares of the edits; a kind whose candidates run out gives its remainder to updates. */
const shares: ReadonlyArray<readonly [Edit, number]> = [
  ["create", 0.2],
  ["block", 0.15],
  ["unblock", 0.15],
  ["deactivate", 0.15],
  ["reactivate", 0.15]
]

const shuffled = <A>(random: PCGRandom, items: ReadonlyArray<A>): Array<A> => {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.integer(i + 1)
    ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
  }
  return copy
}

/** Edits `importedYaml` (the live tree `remote`, imported) with `count` changes chosen with `randomSeed`. */
export const make = (
  importedYaml: string,
  remote: ReadonlyArray<RemoteOrg>,
  count: number,
  randomSeed: number
): Either.Either<ChangeSet, BenchError> => {
  const document = Yaml.parse(importedYaml) as Document
  const entries = new Map<string, { readonly entry: Entry; readonly path: string }>()
  const walk = (orgs: ReadonlyArray<Entry>, parentPath: string) => {
    for (const entry of orgs) {
      const path = OrgPath.child(parentPath, entry.name)
      if (entry.uid !== undefined) entries.set(entry.uid, { entry, path })
      walk(entry.children ?? [], path)
    }
  }
  walk(document.orgs, "")

  const byUid = new Map(remote.map((org) => [org.orgUid, org]))
  const withChildren = new Set(remote.flatMap((org) => (org.parentOrgUid == null ? [] : [org.parentOrgUid])))
  const open = (org: RemoteOrg | undefined) => org !== undefined && org.active && !org.blocked
  // Every candidate is an imported org under an open parent; leaves only for status changes, so that no edit
  // cascades into another.
  const managed = [...remote].sort((a, b) => a.orgId - b.orgId).filter((org) =>
    entries.has(org.orgUid) && open(byUid.get(org.parentOrgUid ?? ""))
  )
  const leaves = managed.filter((org) => !withChildren.has(org.orgUid))
  const candidates: Record<Edit, ReadonlyArray<RemoteOrg>> = {
    create: managed.filter(open),
    update: managed,
    block: leaves.filter(open),
    unblock: leaves.filter((org) => org.active && org.blocked),
    deactivate: leaves.filter(open),
    reactivate: leaves.filter((org) => !org.active && !org.blocked)
  }

  const random = new PCGRandom(randomSeed)
  const used = new Set<string>()
  const picked: Array<{ readonly edit: Edit; readonly org: RemoteOrg }> = []
  const pick = (edit: Edit, wanted: number) => {
    let taken = 0
    for (const org of shuffled(random, candidates[edit])) {
      if (taken === wanted) break
      if (used.has(org.orgUid)) continue
      used.add(org.orgUid)
      picked.push({ edit, org })
      taken++
    }
    return taken
  }
  let left = count
  for (const [edit, share] of shares) left -= pick(edit, Math.round(count * share))
  const updates = pick("update", left)
  if (updates < left) {
    return Either.left(new BenchError({ message: `a tenant of ${remote.length} orgs is too small for ${count} changes` }))
  }

  const counts: Record<Edit, number> = { create: 0, update: 0, block: 0, unblock: 0, deactivate: 0, reactivate: 0 }
  const changedPaths: Array<string> = []
  for (const [i, { edit, org }] of picked.entries()) {
    const { entry, path } = entries.get(org.orgUid)!
    counts[edit]++
    switch (edit) {
      case "create": {
        const name = `New Team ${i + 1}`
        entry.children = [...(entry.children ?? []), { name }]
        changedPaths.push(OrgPath.child(path, name))
        continue
      }
      case "update":
        entry.notes = `Reviewed in change ${i + 1}`
        break
      case "block":
      case "deactivate":
        entry.status = edit === "block" ? "blocked" : "deactivated"
        break
      case "unblock":
      case "reactivate":
        // The parent is active: without a status of its own the org is active too.
        delete entry.status
        break
    }
    changedPaths.push(path)
  }
  return Either.right({ yaml: Yaml.stringify(document, { lineWidth: 0 }), changedPaths, counts })
}
