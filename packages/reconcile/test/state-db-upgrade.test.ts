/**
 * Upgrading orgsync keeps the state database: a database written by orgsync 0.1.0 (its schema and the
 * Migrator's record of the one migration it had) opens under this version, which migrates it forward with
 * the snapshot, identities, journal and runs intact.
 */
import { NodeContext } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { expect } from "vitest"
import * as StateDb from "../src/StateDb.js"

/** The schema of orgsync 0.1.0, as its migration 0001_initial created it: never to be edited. */
const schema010 = [
  `CREATE TABLE snapshot_org (
    org_uid TEXT PRIMARY KEY, org_id INTEGER NOT NULL, org_guid TEXT NOT NULL, org_name TEXT NOT NULL,
    org_ext_ref TEXT, notes TEXT, status TEXT NOT NULL, active INTEGER NOT NULL, blocked INTEGER NOT NULL,
    parent_org_id INTEGER, parent_org_uid TEXT, parent_org_guid TEXT, position INTEGER NOT NULL)`,
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE identity (
    path TEXT PRIMARY KEY, org_uid TEXT NOT NULL, org_id INTEGER NOT NULL, org_guid TEXT NOT NULL,
    applied TEXT, updated_at TEXT NOT NULL)`,
  `CREATE TABLE journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT NOT NULL, path TEXT NOT NULL, org_uid TEXT,
    parent_org_uid TEXT, org_name TEXT, preexisting TEXT NOT NULL, created_at TEXT NOT NULL,
    outcome TEXT, settled_at TEXT, result_org_uid TEXT, error TEXT)`,
  `CREATE INDEX journal_unsettled ON journal (id) WHERE outcome IS NULL`,
  `CREATE TABLE run (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
    dry_run INTEGER NOT NULL, result TEXT, counts TEXT NOT NULL DEFAULT '{}', errors TEXT NOT NULL DEFAULT '[]')`,
  // The Migrator's own table, as @effect/sql creates it on SQLite, with the one migration 0.1.0 ran.
  `CREATE TABLE effect_sql_migrations (
    migration_id integer PRIMARY KEY NOT NULL, created_at datetime NOT NULL DEFAULT current_timestamp,
    name VARCHAR(255) NOT NULL)`,
  `INSERT INTO effect_sql_migrations (migration_id, name) VALUES (1, 'initial')`
]

/** A state database as orgsync 0.1.0 left it after an apply that was cut short. */
const data010 = [
  `INSERT INTO snapshot_org VALUES ('1001', 1, 'g-1', 'Acme', NULL, NULL, 'Active', 1, 0, NULL, NULL, NULL, 0)`,
  `INSERT INTO snapshot_org VALUES ('1002', 2, 'g-2', 'Engineering', 'ENG-1', 'notes', 'Active', 1, 1, 1, '1001', 'g-1', 1)`,
  `INSERT INTO meta VALUES ('snapshot_taken_at', '2026-11-28T10:00:00.000Z')`,
  `INSERT INTO identity VALUES ('Engineering', '1002', 2, 'g-2', '{"extRef":"ENG-1"}', '2026-11-28T10:00:00.000Z')`,
  `INSERT INTO journal (action, path, org_uid, parent_org_uid, org_name, preexisting, created_at)
    VALUES ('create', 'Engineering/Platform', NULL, '1002', 'Platform', '[]', '2026-11-28T10:00:01.000Z')`,
  `INSERT INTO run (kind, started_at, finished_at, dry_run, result, counts, errors)
    VALUES ('apply', '2026-11-28T09:59:00.000Z', '2026-11-28T09:59:30.000Z', 0, 'converged', '{"create":3}', '[]')`
]

const writtenBy010 = (file: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    for (const statement of [...schema010, ...data010]) yield* sql.unsafe(statement)
  }).pipe(Effect.provide(SqliteClient.layer({ filename: file })))

/** The migrations a database records, and the columns of each of its tables. */
const schemaOf = (file: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const migrations = yield* sql<{ migration_id: number; name: string }>`
      SELECT migration_id, name FROM effect_sql_migrations ORDER BY migration_id`
    const tables = yield* sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
    const columns = yield* Effect.forEach(tables, (table) =>
      Effect.map(sql<{ name: string }>`SELECT name FROM pragma_table_info(${table.name})`, (rows) =>
        [table.name, rows.map((row) => row.name)] as const))
    return { migrations, tables: Object.fromEntries(columns) }
  }).pipe(Effect.provide(SqliteClient.layer({ filename: file })))

it.effect("opens a 0.1.0 state database, migrates it and keeps its data", () =>
  Effect.gen(function*() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-upgrade-"))
    const file = path.join(dir, "state.db")
    yield* writtenBy010(file)
    fs.chmodSync(file, 0o600)
    fs.chmodSync(dir, 0o700)

    const kept = yield* Effect.gen(function*() {
      const db = yield* StateDb.StateDb
      return {
        snapshot: yield* db.snapshot,
        identities: yield* db.identities,
        unsettled: yield* db.unsettled,
        runs: yield* db.recentRuns(10),
        meta: yield* db.getMeta("snapshot_taken_at")
      }
    }).pipe(Effect.provide(StateDb.layer(file)), Effect.provide(NodeContext.layer))

    const snapshot = Option.getOrThrow(kept.snapshot)
    expect(snapshot.takenAt.toISOString()).toBe("2026-11-28T10:00:00.000Z")
    expect(snapshot.orgs.map((org) => [org.orgUid, org.orgName, org.orgExtRef, org.blocked, org.parentOrgUid])).toEqual([
      ["1001", "Acme", null, false, null],
      ["1002", "Engineering", "ENG-1", true, "1001"]
    ])
    expect(kept.identities).toMatchObject([{ path: "Engineering", orgUid: "1002", orgId: 2, orgGuid: "g-2" }])
    expect(kept.unsettled).toMatchObject([{ action: "create", path: "Engineering/Platform", parentOrgUid: "1002" }])
    expect(kept.runs).toMatchObject([{ kind: "apply", result: "converged", counts: { create: 3 } }])

    // The same migrations recorded and the same tables and columns as a database this version creates anew.
    const fresh = path.join(dir, "fresh.db")
    yield* Effect.provide(StateDb.StateDb, StateDb.layer(fresh)).pipe(Effect.provide(NodeContext.layer))
    expect(yield* schemaOf(file)).toEqual(yield* schemaOf(fresh))
  }))
