/**
 * Writing the snapshot of the remote tree: multi-row inserts of one statement text (prepared once, then
 * reused), their values in one flat list a chunk, so 100,000 orgs are written in about a second without an
 * object per row; after the first, only the rows that changed. The caller runs it in its transaction.
 */
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { RemoteOrg } from "../../OrgApi.js"

/** The columns of a snapshot row, in the order `save` gives their values. */
const columns = [
  "org_uid",
  "org_id",
  "org_guid",
  "org_name",
  "org_ext_ref",
  "notes",
  "status",
  "active",
  "blocked",
  "parent_org_id",
  "parent_org_uid",
  "parent_org_guid",
  "position"
]
const chunk = 500
const insert = (rows: number) =>
  `INSERT INTO snapshot_org (${columns.join(", ")}) VALUES ` +
  Array.from({ length: rows }, () => `(${columns.map(() => "?").join(", ")})`).join(", ")
const insertChunk = insert(chunk)

type Value = string | number | null

/** Adds a snapshot row's values to `values`, in the order of `columns`. */
const pushRow = (values: Array<Value>, org: RemoteOrg, position: number) =>
  values.push(
    org.orgUid,
    org.orgId ?? null,
    org.orgGuid ?? "",
    org.orgName,
    org.orgExtRef ?? null,
    org.notes ?? null,
    org.status ?? (org.active === false ? "Deactivated" : "Active"),
    org.active === false ? 0 : 1,
    org.blocked === true ? 1 : 0,
    org.parentOrgId ?? null,
    org.parentOrgUid ?? null,
    org.parentOrgGuid ?? null,
    position
  )

/** Writes the rows of `orgs` at `positions`. */
const write = (sql: SqlClient.SqlClient, orgs: ReadonlyArray<RemoteOrg>, positions: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    for (let start = 0; start < positions.length; start += chunk) {
      const end = Math.min(start + chunk, positions.length)
      const values: Array<Value> = []
      for (let at = start; at < end; at++) pushRow(values, orgs[positions[at]!]!, positions[at]!)
      yield* sql.unsafe(end - start === chunk ? insertChunk : insert(end - start), values)
    }
  })

/**
 * Replaces the stored snapshot's orgs with `orgs`, in their order. Given the orgs stored now (`stored`, what
 * this writer saved last), only the rows that differ are written and those of orgs no longer listed deleted:
 * a round that changed a few orgs of a large tenant writes a few rows.
 */
export const save = (
  sql: SqlClient.SqlClient,
  snap: { readonly orgs: ReadonlyArray<RemoteOrg> },
  stored?: ReadonlyArray<RemoteOrg>
) =>
  Effect.gen(function*() {
    const { orgs } = snap
    if (stored === undefined) {
      yield* sql`DELETE FROM snapshot_org`
      return yield* write(sql, orgs, orgs.map((_, position) => position))
    }
    const before = new Map(stored.map((org, position) => [org.orgUid, { org, position }]))
    const changed: Array<number> = []
    const [row, old]: [Array<Value>, Array<Value>] = [[], []]
    for (let position = 0; position < orgs.length; position++) {
      const org = orgs[position]!
      const was = before.get(org.orgUid)
      before.delete(org.orgUid)
      row.length = 0
      old.length = 0
      pushRow(row, org, position)
      if (was !== undefined) pushRow(old, was.org, was.position)
      if (was === undefined || row.some((value, at) => value !== old[at])) changed.push(position)
    }
    // The rows of orgs no longer listed, and the old rows of those that changed.
    const removed = [...before.keys(), ...changed.map((position) => orgs[position]!.orgUid)]
    for (let start = 0; start < removed.length; start += chunk) {
      yield* sql`DELETE FROM snapshot_org WHERE ${sql.in("org_uid", removed.slice(start, start + chunk))}`
    }
    yield* write(sql, orgs, changed)
  })
