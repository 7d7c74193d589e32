/**
 * The state database: one SQLite file (default `.orgsync/state.db`, mode 0600) holding the last remote
 * snapshot, the identity mapping, the write journal and the history of runs. It never holds a secret.
 */
import { FileSystem, Path } from "@effect/platform"
import { SqlClient, type SqlError } from "@effect/sql"
import * as Migrator from "@effect/sql/Migrator"
import { SqliteClient } from "@effect/sql-sqlite-node"
import type { PlatformError } from "@effect/platform/Error"
import { Context, Data, Effect, Exit, Layer, Option } from "effect"
import * as os from "node:os"
import type { Fields, Identity } from "./Identity.js"
import * as DriftHistory from "./internal/driftHistory.js"
import * as HeldDecisions from "./internal/heldDecisions.js"
import * as StateFolder from "./internal/stateFolder.js"
import * as WriteHistory from "./internal/writeHistory.js"
import type { RemoteOrg } from "./OrgApi.js"
import * as StateLock from "./StateLock.js"

export interface Snapshot {
  readonly takenAt: Date
  readonly orgs: ReadonlyArray<RemoteOrg>
}

/** An identity with the ids the API needs, as remembered. */
export interface StoredIdentity extends Identity {
  /** Absent on the gateway family, whose orgs have no orgId (stored as NULL). */
  readonly orgId: number | undefined
  /** Absent for orgs of servers that send no guids (stored as ""). */
  readonly orgGuid: string | undefined
}

export type JournalAction = "create" | "update" | "block" | "unblock" | "deactivate" | "reactivate"

export interface JournalEntry {
  readonly id: number
  readonly action: JournalAction
  readonly path: string
  /** The target org, `null` for a create. */
  readonly orgUid: string | null
  /** For a create: the parent and the name, and the orgUids of same-named siblings before the write. */
  readonly parentOrgUid: string | null
  readonly orgName: string | null
  readonly preexisting: ReadonlyArray<string>
  readonly createdAt: Date
}

export type JournalOutcome = "done" | "failed" | "adopted" | "not-applied" | "reread"

export type RunKind = "plan" | "apply" | "run"

/**
 * How a run ended: `declined` by the person asked to confirm it, `interrupted` by a signal, `abandoned` by a
 * process that ended without recording it (killed, or crashed), as found when the database is next opened.
 */
export type RunResult =
  | "converged"
  | "pending"
  | "failed"
  | "refused"
  | "declined"
  | "error"
  | "interrupted"
  | "abandoned"

/** The git commit a run's desired state was read at. */
export interface RunCommit {
  readonly sha: string
  /** `Name <email>` */
  readonly author: string
  /** The first line of its message. */
  readonly subject: string
}

export interface RunRecord {
  readonly id: number
  readonly kind: RunKind
  readonly startedAt: Date
  readonly finishedAt: Date | null
  readonly dryRun: boolean
  readonly result: RunResult | null
  readonly counts: Readonly<Record<string, number>>
  readonly errors: ReadonlyArray<string>
  /** The git commit of the desired state, when it was read from git. */
  readonly commit: RunCommit | null
}

/** A write of a run, as journaled, with how it ended. */
export interface RunWrite {
  readonly id: number
  readonly action: JournalAction
  readonly path: string
  /** The org written to; for a create that happened, the org created. */
  readonly orgUid: string | null
  /** `undefined` while not settled. */
  readonly outcome: JournalOutcome | undefined
  readonly error: string | null
  readonly createdAt: Date
  readonly settledAt: Date | null
}

export class StateDbError extends Data.TaggedError("StateDbError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

export class StateDb extends Context.Tag("@c42/daemon/StateDb")<StateDb, {
  readonly path: string
  readonly snapshot: Effect.Effect<Option.Option<Snapshot>, StateDbError>
  readonly saveSnapshot: (snapshot: Snapshot) => Effect.Effect<void, StateDbError>
  readonly identities: Effect.Effect<ReadonlyArray<StoredIdentity>, StateDbError>
  /** Records identities (new ones, adoptions, renames); `applied` is kept when not given. */
  readonly saveIdentities: (
    identities: ReadonlyArray<Omit<StoredIdentity, "applied"> & { readonly applied?: Required<Fields> }>
  ) => Effect.Effect<void, StateDbError>
  /** Forgets paths that no desired org has any more. */
  readonly forgetIdentities: (paths: ReadonlyArray<string>) => Effect.Effect<void, StateDbError>
  /** `runId`: the run that makes the write, so that the run's page can list it. */
  readonly journalBegin: (
    entry: Omit<JournalEntry, "id" | "createdAt"> & { readonly runId?: number | undefined }
  ) => Effect.Effect<number, StateDbError>
  readonly journalSettle: (
    id: number,
    outcome: JournalOutcome,
    detail?: { readonly orgUid?: string; readonly error?: string }
  ) => Effect.Effect<void, StateDbError>
  readonly unsettled: Effect.Effect<ReadonlyArray<JournalEntry>, StateDbError>
  /** The writes journaled since `since`, with their outcome (`undefined`: not settled). */
  readonly journalSince: (
    since: Date
  ) => Effect.Effect<ReadonlyArray<JournalEntry & { readonly outcome: JournalOutcome | undefined }>, StateDbError>
  readonly runStart: (kind: RunKind, dryRun: boolean, commit?: RunCommit) => Effect.Effect<number, StateDbError>
  readonly runFinish: (
    id: number,
    result: RunResult,
    counts: Readonly<Record<string, number>>,
    errors: ReadonlyArray<string>
  ) => Effect.Effect<void, StateDbError>
  readonly recentRuns: (limit: number) => Effect.Effect<ReadonlyArray<RunRecord>, StateDbError>
  /** One run with the writes it made; none when there is no such run. */
  readonly runWithWrites: (
    id: number
  ) => Effect.Effect<Option.Option<{ readonly run: RunRecord; readonly writes: ReadonlyArray<RunWrite> }>, StateDbError>
  /** Small facts kept between runs (the signed-in user's org, ...). */
  readonly getMeta: (key: string) => Effect.Effect<Option.Option<string>, StateDbError>
  readonly setMeta: (key: string, value: string) => Effect.Effect<void, StateDbError>
  /** What orgsync wrote and what another writer changed back since (`Contest`). */
  readonly history: WriteHistory.WriteHistory<StateDbError>
  /** The drift each run found, field by field. */
  readonly drift: DriftHistory.DriftHistory<StateDbError>
  /** Approvals and rejections of held changes, by checksum. */
  readonly decisions: HeldDecisions.HeldDecisions<StateDbError>
}>() {}

const migrations = Migrator.fromRecord({
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
  "0010_held_decisions": HeldDecisions.migration
})

const toError = (message: string) => (cause: SqlError.SqlError) => new StateDbError({ message, cause })

const iso = (date: Date) => date.toISOString()

interface SnapshotRow {
  readonly org_uid: string
  readonly org_id: number | null
  readonly org_guid: string
  readonly org_name: string
  readonly org_ext_ref: string | null
  readonly notes: string | null
  readonly status: string
  readonly active: number
  readonly blocked: number
  readonly parent_org_id: number | null
  readonly parent_org_uid: string | null
  readonly parent_org_guid: string | null
}

interface RunRow {
  readonly id: number
  readonly kind: RunKind
  readonly started_at: string
  readonly finished_at: string | null
  readonly dry_run: number
  readonly result: RunResult | null
  readonly counts: string
  readonly errors: string
  readonly commit_sha: string | null
  readonly commit_author: string | null
  readonly commit_subject: string | null
}

const runRecord = (row: RunRow): RunRecord => ({
  id: row.id,
  kind: row.kind,
  startedAt: new Date(row.started_at),
  finishedAt: row.finished_at === null ? null : new Date(row.finished_at),
  dryRun: row.dry_run === 1,
  result: row.result,
  counts: JSON.parse(row.counts),
  errors: JSON.parse(row.errors),
  commit: row.commit_sha === null
    ? null
    : { sha: row.commit_sha, author: row.commit_author ?? "", subject: row.commit_subject ?? "" }
})

interface JournalRow {
  readonly id: number
  readonly action: JournalAction
  readonly path: string
  readonly org_uid: string | null
  readonly parent_org_uid: string | null
  readonly org_name: string | null
  readonly preexisting: string
  readonly created_at: string
  readonly outcome: JournalOutcome | null
}

/**
 * Builds the service over an open, migrated SqlClient. Runs this process leaves unfinished when the scope
 * closes are recorded `interrupted` (or `abandoned`); those of processes that are gone, `abandoned`.
 */
export const make = (path: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const snapshot = Effect.gen(function*() {
      const taken = yield* sql<{ value: string }>`SELECT value FROM meta WHERE key = 'snapshot_taken_at'`
      if (taken.length === 0) return Option.none<Snapshot>()
      const rows = yield* sql<SnapshotRow>`SELECT * FROM snapshot_org ORDER BY position`
      const orgs = rows.map((row): RemoteOrg => ({
        orgId: row.org_id ?? undefined,
        orgUid: row.org_uid,
        orgGuid: row.org_guid === "" ? undefined : row.org_guid,
        orgName: row.org_name,
        orgExtRef: row.org_ext_ref,
        notes: row.notes,
        status: row.status,
        active: row.active === 1,
        blocked: row.blocked === 1,
        parentOrgId: row.parent_org_id,
        parentOrgUid: row.parent_org_uid,
        parentOrgGuid: row.parent_org_guid
      }))
      return Option.some<Snapshot>({ takenAt: new Date(taken[0]!.value), orgs })
    }).pipe(Effect.mapError(toError("cannot read the snapshot")))

    // Multi-row inserts in one transaction: 100,000 orgs are written in about a second.
    const saveSnapshot = (snap: Snapshot) =>
      sql.withTransaction(Effect.gen(function*() {
        yield* sql`DELETE FROM snapshot_org`
        const chunk = 500
        for (let start = 0; start < snap.orgs.length; start += chunk) {
          const rows = snap.orgs.slice(start, start + chunk).map((org, i) => ({
            org_uid: org.orgUid,
            org_id: org.orgId ?? null,
            org_guid: org.orgGuid ?? "",
            org_name: org.orgName,
            org_ext_ref: org.orgExtRef ?? null,
            notes: org.notes ?? null,
            status: org.status ?? (org.active === false ? "Deactivated" : "Active"),
            active: org.active === false ? 0 : 1,
            blocked: org.blocked === true ? 1 : 0,
            parent_org_id: org.parentOrgId ?? null,
            parent_org_uid: org.parentOrgUid ?? null,
            parent_org_guid: org.parentOrgGuid ?? null,
            position: start + i
          }))
          yield* sql`INSERT INTO snapshot_org ${sql.insert(rows)}`
        }
        yield* setMetaRaw("snapshot_taken_at", iso(snap.takenAt))
      })).pipe(Effect.mapError(toError("cannot save the snapshot")))

    const setMetaRaw = (key: string, value: string) =>
      sql`INSERT INTO meta (key, value) VALUES (${key}, ${value})
          ON CONFLICT (key) DO UPDATE SET value = excluded.value`

    const identities = sql<{
      path: string
      org_uid: string
      org_id: number | null
      org_guid: string
      applied: string | null
    }>`SELECT path, org_uid, org_id, org_guid, applied FROM identity ORDER BY path`.pipe(
      Effect.map((rows) =>
        rows.map((row): StoredIdentity => ({
          path: row.path,
          orgUid: row.org_uid,
          orgId: row.org_id ?? undefined,
          orgGuid: row.org_guid === "" ? undefined : row.org_guid,
          applied: row.applied === null ? undefined : JSON.parse(row.applied)
        }))
      ),
      Effect.mapError(toError("cannot read the identity mapping"))
    )

    // Multi-row upserts: a first run over 100,000 orgs records them all in one short transaction.
    const saveIdentities: StateDb["Type"]["saveIdentities"] = (list) =>
      sql.withTransaction(Effect.gen(function*() {
        const now = iso(new Date())
        for (let start = 0; start < list.length; start += 500) {
          const rows = list.slice(start, start + 500).map((identity) => ({
            path: identity.path,
            org_uid: identity.orgUid,
            org_id: identity.orgId ?? null,
            org_guid: identity.orgGuid ?? "",
            applied: identity.applied === undefined ? null : JSON.stringify(identity.applied),
            updated_at: now
          }))
          yield* sql`INSERT INTO identity ${sql.insert(rows)}
            ON CONFLICT (path) DO UPDATE SET org_uid = excluded.org_uid, org_id = excluded.org_id,
              org_guid = excluded.org_guid, updated_at = excluded.updated_at,
              applied = CASE WHEN excluded.org_uid <> identity.org_uid THEN excluded.applied
                             ELSE coalesce(excluded.applied, identity.applied) END`
        }
      })).pipe(Effect.mapError(toError("cannot save the identity mapping")))

    const forgetIdentities = (paths: ReadonlyArray<string>) =>
      paths.length === 0
        ? Effect.void
        : sql`DELETE FROM identity WHERE ${sql.in("path", paths)}`.pipe(
          Effect.asVoid,
          Effect.mapError(toError("cannot update the identity mapping"))
        )

    const journalBegin: StateDb["Type"]["journalBegin"] = (entry) =>
      sql<{ id: number }>`INSERT INTO journal
          (action, path, org_uid, parent_org_uid, org_name, preexisting, created_at, run_id)
        VALUES (${entry.action}, ${entry.path}, ${entry.orgUid}, ${entry.parentOrgUid}, ${entry.orgName},
          ${JSON.stringify(entry.preexisting)}, ${iso(new Date())}, ${entry.runId ?? null}) RETURNING id`.pipe(
        Effect.map((rows) => rows[0]!.id),
        Effect.mapError(toError("cannot write the journal"))
      )

    const journalSettle: StateDb["Type"]["journalSettle"] = (id, outcome, detail) =>
      sql`UPDATE journal SET outcome = ${outcome}, settled_at = ${iso(new Date())},
            result_org_uid = ${detail?.orgUid ?? null}, error = ${detail?.error ?? null}
          WHERE id = ${id}`.pipe(Effect.asVoid, Effect.mapError(toError("cannot settle the journal")))

    const journalEntry = (row: JournalRow) => ({
      id: row.id,
      action: row.action,
      path: row.path,
      orgUid: row.org_uid,
      parentOrgUid: row.parent_org_uid,
      orgName: row.org_name,
      preexisting: JSON.parse(row.preexisting) as ReadonlyArray<string>,
      createdAt: new Date(row.created_at),
      outcome: row.outcome ?? undefined
    })

    const unsettled = sql<JournalRow>`SELECT * FROM journal WHERE outcome IS NULL ORDER BY id`.pipe(
      Effect.map((rows) => rows.map((row): JournalEntry => {
        const { outcome: _, ...entry } = journalEntry(row)
        return entry
      })),
      Effect.mapError(toError("cannot read the journal"))
    )

    const journalSince = (since: Date) =>
      sql<JournalRow>`SELECT * FROM journal WHERE created_at >= ${iso(since)} ORDER BY id`.pipe(
        Effect.map((rows) => rows.map(journalEntry)),
        Effect.mapError(toError("cannot read the journal"))
      )

    // Runs of this process that are not finished: when the database closes, they were cut short.
    const unfinished = new Set<number>()

    const runStart = (kind: RunKind, dryRun: boolean, commit?: RunCommit) =>
      sql<{ id: number }>`INSERT INTO run (kind, started_at, dry_run, pid, host, commit_sha, commit_author, commit_subject)
        VALUES (${kind}, ${iso(new Date())}, ${dryRun ? 1 : 0}, ${process.pid}, ${os.hostname()},
          ${commit?.sha ?? null}, ${commit?.author ?? null}, ${commit?.subject ?? null}) RETURNING id`.pipe(
        Effect.map((rows) => rows[0]!.id),
        Effect.tap((id) => Effect.sync(() => unfinished.add(id))),
        Effect.mapError(toError("cannot record the run"))
      )

    const runFinish: StateDb["Type"]["runFinish"] = (id, result, counts, errors) =>
      sql`UPDATE run SET finished_at = ${iso(new Date())}, result = ${result},
            counts = ${JSON.stringify(counts)}, errors = ${JSON.stringify(errors)}
          WHERE id = ${id}`.pipe(
        Effect.tap(() => Effect.sync(() => unfinished.delete(id))),
        Effect.asVoid,
        Effect.mapError(toError("cannot record the run"))
      )

    yield* Effect.addFinalizer((exit) =>
      unfinished.size === 0 ? Effect.void : sql`UPDATE run SET finished_at = ${iso(new Date())},
          result = ${Exit.isInterrupted(exit) ? "interrupted" : "abandoned"}
        WHERE result IS NULL AND ${sql.in("id", [...unfinished])}`.pipe(Effect.ignore)
    )

    // Runs that a process of this host left unfinished and that is gone: abandoned, not running for ever.
    const open = yield* sql<{ id: number; pid: number | null }>`SELECT id, pid FROM run
      WHERE result IS NULL AND (host IS NULL OR host = ${os.hostname()})`.pipe(Effect.orElseSucceed(() => []))
    const abandoned = open.filter((run) => run.pid === null || StateLock.processGone(run.pid, os.hostname()))
    if (abandoned.length > 0) {
      yield* sql`UPDATE run SET result = 'abandoned' WHERE ${sql.in("id", abandoned.map((run) => run.id))}`.pipe(
        Effect.mapError(toError("cannot record the run"))
      )
    }

    const recentRuns = (limit: number) =>
      sql<RunRow>`SELECT * FROM run ORDER BY id DESC LIMIT ${limit}`.pipe(
        Effect.map((rows) => rows.map(runRecord)),
        Effect.mapError(toError("cannot read the run history"))
      )

    const runWithWrites = (id: number) =>
      Effect.gen(function*() {
        const found = yield* sql<RunRow>`SELECT * FROM run WHERE id = ${id}`
        if (found.length === 0) return Option.none()
        const rows = yield* sql<JournalRow & { error: string | null; settled_at: string | null; result_org_uid: string | null }>`
          SELECT * FROM journal WHERE run_id = ${id} ORDER BY id`
        return Option.some({
          run: runRecord(found[0]!),
          writes: rows.map((row): RunWrite => ({
            id: row.id,
            action: row.action,
            path: row.path,
            orgUid: row.result_org_uid ?? row.org_uid,
            outcome: row.outcome ?? undefined,
            error: row.error,
            createdAt: new Date(row.created_at),
            settledAt: row.settled_at === null ? null : new Date(row.settled_at)
          }))
        })
      }).pipe(Effect.mapError(toError("cannot read the run history")))

    const getMeta = (key: string) =>
      sql<{ value: string }>`SELECT value FROM meta WHERE key = ${key}`.pipe(
        Effect.map((rows) => Option.fromNullable(rows[0]?.value)),
        Effect.mapError(toError("cannot read the state database"))
      )

    const setMeta = (key: string, value: string) =>
      setMetaRaw(key, value).pipe(Effect.asVoid, Effect.mapError(toError("cannot write the state database")))

    const history = yield* WriteHistory.make(toError)
    const drift = yield* DriftHistory.make(toError)
    const decisions = yield* HeldDecisions.make(toError)

    return StateDb.of({
      path,
      history,
      drift,
      decisions,
      snapshot,
      saveSnapshot,
      identities,
      saveIdentities,
      forgetIdentities,
      journalBegin,
      journalSettle,
      unsettled,
      journalSince,
      runStart,
      runFinish,
      recentRuns,
      runWithWrites,
      getMeta,
      setMeta
    })
  })

/** What `--state` names: nothing yet (a new database is made), or an orgsync state database. */
type Found = "absent" | "database"

const sqliteHeader = "SQLite format 3\u0000"

const refuse = (message: string) => new StateDbError({ message })

/**
 * Looks at the path without changing anything there: a folder, a device, an empty file, a file of another
 * kind, or a link to nothing is refused. Whether an SQLite file is orgsync's is told once it is open.
 */
const inspect = (path: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const exists = (error: PlatformError) => !(error._tag === "SystemError" && error.reason === "NotFound")
    const info = yield* fs.stat(path).pipe(Effect.map(Option.some), Effect.catchIf((e) => !exists(e), () => Effect.succeedNone))
    if (Option.isNone(info)) {
      const link = yield* fs.readLink(path).pipe(Effect.option)
      if (Option.isSome(link)) return yield* refuse(`${path} is a symbolic link to ${link.value}, which does not exist`)
      return "absent" as Found
    }
    const { size, type } = info.value
    if (type === "Directory") return yield* refuse(`${path} is a folder: --state names the database file in it`)
    if (type !== "File") return yield* refuse(`${path} is not a regular file, so not a state database`)
    const header = yield* Effect.scoped(Effect.flatMap(fs.open(path, { flag: "r" }), (file) => file.readAlloc(16)))
    const text = Option.match(header, { onNone: () => "", onSome: (bytes) => new TextDecoder().decode(bytes) })
    if (size === BigInt(0) || text !== sqliteHeader) {
      return yield* refuse(`${path} is not an orgsync state database; it is left as it is: choose another --state path`)
    }
    return "database" as Found
  }).pipe(
    Effect.catchIf(
      (error): error is PlatformError => error._tag !== "StateDbError",
      (cause) => Effect.fail(new StateDbError({ message: `cannot open the state database ${path}: ${cause.message}`, cause }))
    )
  )

/** A new database is created 0600 before SQLite opens it, so that no other user can ever read it. */
const prepareFile = (path: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const paths = yield* Path.Path
    const found = yield* inspect(path)
    yield* StateFolder.ensure(paths.dirname(path)).pipe(Effect.mapError((e) => new StateDbError({ message: e.message, cause: e })))
    yield* (found === "absent"
      ? fs.writeFile(path, new Uint8Array(), { flag: "wx", mode: 0o600 })
      : fs.chmod(path, 0o600)).pipe(
        Effect.mapError((cause) =>
          new StateDbError({ message: `cannot create the state database ${path}: ${cause.message}`, cause })
        )
      )
  })

/**
 * An SQLite database of another application is refused before anything is written to it (not even the WAL
 * journal mode); one without any table is a new state database.
 */
const checkTables = (path: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const tables = new Set((yield* sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`).map((row) => row.name))
    if (tables.size > 0 && !(tables.has("effect_sql_migrations") && tables.has("run"))) {
      return yield* refuse(`${path} is an SQLite database of another application, not an orgsync state database; it is left as it is`)
    }
    yield* sql`PRAGMA journal_mode = WAL`
  })

/** The state database at `path`, created and migrated on first use. */
export const layer = (path: string): Layer.Layer<StateDb, StateDbError, FileSystem.FileSystem | Path.Path> => {
  const service = Layer.scoped(
    StateDb,
    Effect.gen(function*() {
      yield* checkTables(path)
      yield* Migrator.make({})({ loader: migrations })
      return yield* make(path)
    })
  ).pipe(
    Layer.provide(SqliteClient.layer({ filename: path, disableWAL: true })),
    Layer.mapError((cause) =>
      cause._tag === "StateDbError" ? cause : new StateDbError({ message: `cannot open the state database ${path}`, cause })
    )
  )
  return Layer.unwrapEffect(Effect.as(prepareFile(path), service))
}
