/**
 * The state database's schema, one migration a change, run in order by its writer only; `version` is the
 * schema this orgsync reads and writes.
 */
import { SqlClient } from "@effect/sql"
import * as Migrator from "@effect/sql/Migrator"
import { Effect } from "effect"
import * as DriftHistory from "../driftHistory.js"
import * as HeldDecisions from "../heldDecisions.js"
import * as WriteHistory from "../writeHistory.js"

const record = {
  "0001_initial": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE snapshot_org (
      org_uid TEXT PRIMARY KEY, org_id INTEGER NOT NULL, org_guid TEXT NOT NULL, org_name TEXT NOT NULL,
      org_ext_ref TEXT, notes TEXT, status TEXT NOT NULL, active INTEGER NOT NULL, blocked INTEGER NOT NULL,
      parent_org_id INTEGER, parent_org_uid TEXT, parent_org_guid TEXT, position INTEGER NOT NULL)`
    yield* sql`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`
    yield* sql`CREATE TABLE identity (
      path TEXT PRIMARY KEY, org_uid TEXT NOT NULL, org_id INTEGER NOT NULL, org_guid TEXT NOT NULL,
      applied TEXT, updated_at TEXT NOT NULL)`
    yield* sql`CREATE TABLE journal (
      id INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT NOT NULL, path TEXT NOT NULL, org_uid TEXT,
      parent_org_uid TEXT, org_name TEXT, preexisting TEXT NOT NULL, created_at TEXT NOT NULL,
      outcome TEXT, settled_at TEXT, result_org_uid TEXT, error TEXT)`
    yield* sql`CREATE INDEX journal_unsettled ON journal (id) WHERE outcome IS NULL`
    yield* sql`CREATE TABLE run (
      id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
      dry_run INTEGER NOT NULL, result TEXT, counts TEXT NOT NULL DEFAULT '{}', errors TEXT NOT NULL DEFAULT '[]')`
  }),
  // Who runs a run, so that one left unfinished by a process that is gone is not shown as running for ever.
  "0002_run_process": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`ALTER TABLE run ADD COLUMN pid INTEGER`
    yield* sql`ALTER TABLE run ADD COLUMN host TEXT`
  }),
  "0003_write_history": WriteHistory.migration,
  // Which run made each write, for the page of a run.
  "0006_journal_run": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`ALTER TABLE journal ADD COLUMN run_id INTEGER`
    yield* sql`CREATE INDEX journal_run ON journal (run_id)`
  }),
  // The git commit each run reconciled, for a daemon that follows a branch.
  "0007_run_commit": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`ALTER TABLE run ADD COLUMN commit_sha TEXT`
    yield* sql`ALTER TABLE run ADD COLUMN commit_author TEXT`
    yield* sql`ALTER TABLE run ADD COLUMN commit_subject TEXT`
  }),
  // The gateway family's orgs have no orgId: the column becomes optional (SQLite rebuilds the table for that).
  "0008_optional_org_id": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE snapshot_org_next (
      org_uid TEXT PRIMARY KEY, org_id INTEGER, org_guid TEXT NOT NULL, org_name TEXT NOT NULL,
      org_ext_ref TEXT, notes TEXT, status TEXT NOT NULL, active INTEGER NOT NULL, blocked INTEGER NOT NULL,
      parent_org_id INTEGER, parent_org_uid TEXT, parent_org_guid TEXT, position INTEGER NOT NULL)`
    yield* sql`INSERT INTO snapshot_org_next SELECT org_uid, org_id, org_guid, org_name, org_ext_ref, notes, status,
      active, blocked, parent_org_id, parent_org_uid, parent_org_guid, position FROM snapshot_org`
    yield* sql`DROP TABLE snapshot_org`
    yield* sql`ALTER TABLE snapshot_org_next RENAME TO snapshot_org`
    yield* sql`CREATE TABLE identity_next (
      path TEXT PRIMARY KEY, org_uid TEXT NOT NULL, org_id INTEGER, org_guid TEXT NOT NULL,
      applied TEXT, updated_at TEXT NOT NULL)`
    yield* sql`INSERT INTO identity_next SELECT path, org_uid, org_id, org_guid, applied, updated_at FROM identity`
    yield* sql`DROP TABLE identity`
    yield* sql`ALTER TABLE identity_next RENAME TO identity`
  }),
  "0009_drift": DriftHistory.migration,
  "0010_held_decisions": HeldDecisions.migration,
  "0011_drift_written": DriftHistory.writtenMigration,
  // How Code42 answered a create whose outcome stays open, for the next process to wait for it by the same rule.
  "0012_journal_answer": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`ALTER TABLE journal ADD COLUMN answer TEXT`
  })
}

export const migrations = Migrator.fromRecord(record)

/** The schema this orgsync reads and writes: the id of its last migration. */
export const version = Math.max(...Object.keys(record).map((key) => Number.parseInt(key, 10)))
