/** The one-org edits of an imported `orgs.yaml` that the daemon scenario saves, one after another. */
import { OrgPath } from "@c42/reconcile"
import { Either } from "effect"
import * as Yaml from "yaml"
import { BenchError } from "./BenchError.js"
import type { Edit, TreeOrg } from "./DaemonRun.js"

/** One org of an `orgs.yaml` as `orgsync import` writes it, as far as the edits touch it. */
interface Entry {
  name: string
  uid?: string
  status?: string
  children?: Array<Entry>
}

const open = (org: TreeOrg | undefined) => org !== undefined && org.active && !org.blocked

/**
 * `count` one-org edits of `importedYaml` (the import of `tree`), one after another: a create under an open
 * org, a rename of another (pinned by its uid, so an update), a block or an unblock of an open leaf, in turn.
 * Each costs one call and cascades to nothing.
 */
export const edits = (
  importedYaml: string,
  tree: ReadonlyArray<TreeOrg>,
  count: number
): Either.Either<ReadonlyArray<Edit>, BenchError> => {
  const document = Yaml.parse(importedYaml) as { orgs: Array<Entry> }
  const entries = new Map<string, Entry>()
  const parentEntries = new Map<Entry, Entry>()
  const walk = (orgs: ReadonlyArray<Entry>, parent: Entry | undefined) => {
    for (const entry of orgs) {
      if (entry.uid !== undefined) entries.set(entry.uid, entry)
      if (parent !== undefined) parentEntries.set(entry, parent)
      walk(entry.children ?? [], entry)
    }
  }
  walk(document.orgs, undefined)

  const byUid = new Map(tree.map((org) => [org.orgUid, org]))
  const parents = new Set(tree.flatMap((org) => (org.parentOrgUid == null ? [] : [org.parentOrgUid])))
  const candidates = [...tree].sort((a, b) => a.orgId - b.orgId).filter((org) =>
    entries.has(org.orgUid) && open(org) && open(byUid.get(org.parentOrgUid ?? ""))
  )
  const parent = candidates.find((org) => parents.has(org.orgUid))
  const leaf = candidates.find((org) => !parents.has(org.orgUid))
  const renamed = candidates.find((org) => org !== parent && org !== leaf)
  if (parent === undefined || leaf === undefined || renamed === undefined) {
    return Either.left(
      new BenchError({ message: `a tenant of ${tree.length} orgs has too few open orgs for the daemon's changes` })
    )
  }
  const entryOf = (org: TreeOrg) => entries.get(org.orgUid)!
  // Read as the edits so far left the document: a rename changes the paths below it.
  const pathOf = (entry: Entry): string => {
    const parent = parentEntries.get(entry)
    return OrgPath.child(parent === undefined ? "" : pathOf(parent), entry.name)
  }

  /** Makes the `i`-th edit in the document. */
  const edit = (i: number): Omit<Edit, "yaml"> => {
    switch (i % 3) {
      case 0: {
        const name = `Daemon Team ${i + 1}`
        const entry = entryOf(parent)
        entry.children = [...(entry.children ?? []), { name }]
        return {
          kind: "create",
          path: OrgPath.child(pathOf(entry), name),
          visible: (orgs) => orgs.some((org) => org.orgName === name && org.parentOrgUid === parent.orgUid)
        }
      }
      case 1: {
        const name = `Renamed Team ${i + 1}`
        entryOf(renamed).name = name
        return {
          kind: "rename",
          path: pathOf(entryOf(renamed)),
          visible: (orgs) => orgs.some((org) => org.orgUid === renamed.orgUid && org.orgName === name)
        }
      }
      default: {
        const entry = entryOf(leaf)
        const block = entry.status !== "blocked"
        // The parent is open: without a status of its own the leaf is active and unblocked.
        if (block) entry.status = "blocked"
        else delete entry.status
        return {
          kind: block ? "block" : "unblock",
          path: pathOf(entry),
          visible: (orgs) => orgs.some((org) => org.orgUid === leaf.orgUid && org.blocked === block)
        }
      }
    }
  }
  const planned: Array<Edit> = []
  for (let i = 0; i < count; i++) planned.push({ ...edit(i), yaml: Yaml.stringify(document, { lineWidth: 0 }) })
  return Either.right(planned)
}
