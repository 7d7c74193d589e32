/**
 * Writing the snapshot of the remote tree: multi-row inserts of one statement text (prepared once, then
 * reused), their values in one flat list a chunk, so 100,000 orgs are written in about a second without an
 * object per row. The caller runs it in its transaction.
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

/** Replaces the stored snapshot's orgs with `orgs`, in their order. */
export const save = (sql: SqlClient.SqlClient, snap: { readonly orgs: ReadonlyArray<RemoteOrg> }) =>
  Effect.gen(function*() {
    yield* sql`DELETE FROM snapshot_org`
    for (let start = 0; start < snap.orgs.length; start += chunk) {
      const end = Math.min(start + chunk, snap.orgs.length)
      const values: Array<string | number | null> = []
      for (let position = start; position < end; position++) {
        const org = snap.orgs[position]!
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
      }
      yield* sql.unsafe(end - start === chunk ? insertChunk : insert(end - start), values)
    }
  })
