/**
 * The state database: one SQLite file (default `.orgsync/state.db`, mode 0600) holding the last remote
 * snapshot, the identity mapping, the write journal and the history of runs. It never holds a secret.
 *
 * One writer per database, enforced where it is opened: `layer` takes the lock beside it before it creates,
 * migrates or writes anything, and holds it for the life of the layer. `layerReadOnly` opens it read-only
 * (plan, status): never creating, migrating, chmodding or writing it, and taking no lock, so that it can be
 * read beside the daemon that writes it without touching that daemon's journal.
 */
import type { FileSystem, Path } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Clock, Context, Effect, Exit, Layer, Option, Schema } from "effect"
import * as os from "node:os"
import type { DesiredOrg } from "./Desired.js"
import type { Fields, Identity } from "./Identity.js"
import * as DriftHistory from "./internal/driftHistory.js"
import * as HeldDecisions from "./internal/heldDecisions.js"
import { failure, settingFailure, StateDbError, writeFailure } from "./internal/stateDb/error.js"
import * as StateFile from "./internal/stateDb/file.js"
import * as Reads from "./internal/stateDb/reads.js"
import * as Rows from "./internal/stateDb/rows.js"
import * as SnapshotWrite from "./internal/stateDb/snapshot.js"
import * as WriteHistory from "./internal/writeHistory.js"
import type { RemoteOrg } from "./OrgApi.js"
import * as StateLock from "./StateLock.js"

export { StateDbError }

export interface Snapshot {
  readonly takenAt: Date
  readonly orgs: ReadonlyArray<RemoteOrg>
}

/** What could be read of some rows, and for each row that could not, a sentence naming it and what is wrong. */
export interface Readable<A> {
  readonly value: A
  readonly unreadable: ReadonlyArray<string>
}

/** An identity with the ids the API needs, as remembered. */
export interface StoredIdentity extends Identity {
  /** Absent on the gateway family, whose orgs have no orgId (stored as NULL). */
  readonly orgId: number | undefined
  /** Absent for orgs of servers that send no guids (stored as ""). */
  readonly orgGuid: string | undefined
}

export type JournalAction = typeof Rows.JournalAction.Type

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
  /** For a create whose outcome is open: how Code42 answered it, when it did. */
  readonly answer?: JournalAnswer | undefined
}

export type JournalOutcome = typeof Rows.JournalOutcome.Type

/** How Code42 answered a create whose outcome stays open: `accepted`, success without the org it made. */
export type JournalAnswer = typeof Rows.JournalAnswer.Type

export type RunKind = typeof Rows.RunKind.Type

/**
 * How a run ended: `declined` by the person asked to confirm it, `interrupted` by a signal, `abandoned` by a
 * process that ended without recording it (killed, or crashed), as found when the database is next read.
 */
export type RunResult = typeof Rows.RunResult.Type

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

/**
 * What a pass holds while it reads the identity mapping: the listed org of a uid, the desired org of a path. A
 * read of the mapping hands out their strings (path, uid, guid, applied name, ...) in place of the equal ones it
 * reads, so that 100,000 identities add no second copy of what the pass already holds.
 */
export interface Held {
  readonly org: (orgUid: string) => RemoteOrg | undefined
  readonly desired: (path: string) => DesiredOrg | undefined
}

/** What can be read from a state database, opened read-only or by its writer. */
export interface Reader {
  readonly path: string
  readonly snapshot: Effect.Effect<Option.Option<Snapshot>, StateDbError>
  readonly identities: Effect.Effect<ReadonlyArray<StoredIdentity>, StateDbError>
  /** The identities, as `identities` reads them, sharing the strings `held` holds. */
  readonly identitiesSharing: (held: Held) => Effect.Effect<ReadonlyArray<StoredIdentity>, StateDbError>
  readonly unsettled: Effect.Effect<ReadonlyArray<JournalEntry>, StateDbError>
  /**
   * The writes journaled since `since`, with their outcome (`undefined`: not settled) and, for a create that
   * happened, the org it made.
   */
  readonly journalSince: (
    since: Date
  ) => Effect.Effect<
    ReadonlyArray<
      JournalEntry & { readonly outcome: JournalOutcome | undefined; readonly resultOrgUid: string | null }
    >,
    StateDbError
  >
  /** Newest first, leaving out a row that does not decode; a run whose process is gone reads as `abandoned`. */
  readonly recentRuns: (limit: number) => Effect.Effect<ReadonlyArray<RunRecord>, StateDbError>
  /**
   * For a person looking (`orgsync status`, the status page): the runs as `recentRuns` reads them, and the
   * snapshot, each naming the rows left out because they do not decode (with their table); a snapshot whose
   * time does not decode reads as none, named so. `snapshot` fails on the first row instead.
   */
  readonly readableRuns: (limit: number) => Effect.Effect<Readable<ReadonlyArray<RunRecord>>, StateDbError>
  readonly readableSnapshot: Effect.Effect<Readable<Option.Option<Snapshot>>, StateDbError>
  /** One run with the writes it made; none when there is no such run. */
  readonly runWithWrites: (
    id: number
  ) => Effect.Effect<Option.Option<{ readonly run: RunRecord; readonly writes: ReadonlyArray<RunWrite> }>, StateDbError>
  /** Small facts kept between runs (the signed-in user's org, ...). */
  readonly getMeta: (key: string) => Effect.Effect<Option.Option<string>, StateDbError>
  /** What orgsync wrote, and the orgs another writer contests (`Contest`). */
  readonly history: Pick<WriteHistory.WriteHistory, "standing" | "contested">
  /** The drift each run found, field by field. */
  readonly drift: Pick<DriftHistory.DriftHistory, "ofRun">
}

/**
 * A setting `db` keeps as JSON, decoded with `schema`: one that does not decode fails in one sentence naming the
 * database and the key, ending with `then` (by default: how to mend it).
 */
export const setting = <A>(
  db: Reader,
  key: string,
  schema: Schema.Schema<A, string>,
  then?: string
): Effect.Effect<Option.Option<A>, StateDbError> =>
  Effect.flatMap(db.getMeta(key), Option.match({
    onNone: () => Effect.succeedNone,
    onSome: (text) =>
      Schema.decode(schema)(text).pipe(Effect.map(Option.some), Effect.mapError(settingFailure(db.path, key, then)))
  }))

/** A state database opened read-only, or by its writer. */
export class StateReader extends Context.Tag("@c42/reconcile/StateReader")<StateReader, Reader>() {}

/** The writer of a state database, which holds its lock. */
export class StateDb extends Context.Tag("@c42/daemon/StateDb")<StateDb, Reader & {
  readonly saveSnapshot: (snapshot: Snapshot) => Effect.Effect<void, StateDbError>
  /** Records identities (new ones, adoptions, renames); `applied` is kept when not given. */
  readonly saveIdentities: (
    identities: ReadonlyArray<Omit<StoredIdentity, "applied"> & { readonly applied?: Fields }>
  ) => Effect.Effect<void, StateDbError>
  /** Forgets paths that no desired org has any more. */
  readonly forgetIdentities: (paths: ReadonlyArray<string>) => Effect.Effect<void, StateDbError>
  /** `runId`: the run that makes the write, so that the run's page can list it. */
  readonly journalBegin: (
    entry: Omit<JournalEntry, "id" | "createdAt"> & { readonly runId?: number | undefined }
  ) => Effect.Effect<number, StateDbError>
  /** Records how Code42 answered a write left unsettled (its outcome unknown). */
  readonly journalAnswered: (id: number, answer: JournalAnswer) => Effect.Effect<void, StateDbError>
  readonly journalSettle: (
    id: number,
    outcome: JournalOutcome,
    detail?: { readonly orgUid?: string; readonly error?: string }
  ) => Effect.Effect<void, StateDbError>
  readonly runStart: (kind: RunKind, dryRun: boolean, commit?: RunCommit) => Effect.Effect<number, StateDbError>
  readonly runFinish: (
    id: number,
    result: RunResult,
    counts: Readonly<Record<string, number>>,
    errors: ReadonlyArray<string>
  ) => Effect.Effect<void, StateDbError>
  readonly setMeta: (key: string, value: string) => Effect.Effect<void, StateDbError>
  /** What orgsync wrote and what another writer changed back since (`Contest`). */
  readonly history: WriteHistory.WriteHistory
  /** The drift each run found, field by field. */
  readonly drift: DriftHistory.DriftHistory
  /** Approvals and rejections of held changes, by checksum. */
  readonly decisions: HeldDecisions.HeldDecisions
}>() {}

const now = Effect.map(Clock.currentTimeMillis, (millis) => new Date(millis).toISOString())

/**
 * The writer over an open, migrated SqlClient; one whose newest run does not decode fails, as a plan does. Runs
 * this process leaves unfinished when the scope closes are recorded `interrupted` (or `abandoned`); those of
 * processes that are gone, `abandoned`.
 */
const makeWriter = (path: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const reader = yield* Reads.make(path)
    // Rows of the history that cannot be read are only left out of what is shown: said once, as the writer opens.
    for (const sentence of (yield* reader.readableRuns(20)).unreadable) {
      yield* Effect.logWarning(`${sentence}: it is left out of the run history shown`)
    }
    const toError = (what: string) => writeFailure(path, what)

    const setMetaRaw = (key: string, value: string) =>
      sql`INSERT INTO meta (key, value) VALUES (${key}, ${value})
          ON CONFLICT (key) DO UPDATE SET value = excluded.value`

    // The orgs this writer saved last, as the database holds them (no one else writes while it holds the lock),
    // so that a later save writes only the rows that changed; unknown while a save is under way.
    let saved: ReadonlyArray<RemoteOrg> | undefined
    const saveSnapshot = (snap: Snapshot) =>
      Effect.suspend(() => {
        const stored = saved
        saved = undefined
        return SnapshotWrite.save(sql, snap, stored).pipe(
          Effect.zipRight(setMetaRaw("snapshot_taken_at", snap.takenAt.toISOString())),
          sql.withTransaction,
          Effect.tap(() => (saved = snap.orgs))
        )
      }).pipe(Effect.mapError(toError("save the snapshot")))

    // Multi-row upserts: a first run over 100,000 orgs records them all in one short transaction.
    const saveIdentities: StateDb["Type"]["saveIdentities"] = (list) =>
      sql.withTransaction(Effect.gen(function*() {
        const updatedAt = yield* now
        for (let start = 0; start < list.length; start += 500) {
          const rows = list.slice(start, start + 500).map((identity) => ({
            path: identity.path,
            org_uid: identity.orgUid,
            org_id: identity.orgId ?? null,
            org_guid: identity.orgGuid ?? "",
            applied: identity.applied === undefined ? null : JSON.stringify(identity.applied),
            updated_at: updatedAt
          }))
          yield* sql`INSERT INTO identity ${sql.insert(rows)}
            ON CONFLICT (path) DO UPDATE SET org_uid = excluded.org_uid, org_id = excluded.org_id,
              org_guid = excluded.org_guid, updated_at = excluded.updated_at,
              applied = CASE WHEN excluded.org_uid <> identity.org_uid THEN excluded.applied
                             ELSE coalesce(excluded.applied, identity.applied) END`
        }
      })).pipe(Effect.mapError(toError("save the identity mapping")))

    const forgetIdentities = (paths: ReadonlyArray<string>) =>
      paths.length === 0
        ? Effect.void
        : sql`DELETE FROM identity WHERE ${sql.in("path", paths)}`.pipe(
          Effect.asVoid,
          Effect.mapError(toError("update the identity mapping"))
        )

    const journalBegin: StateDb["Type"]["journalBegin"] = (entry) =>
      Effect.flatMap(now, (createdAt) =>
        sql<{ id: number }>`INSERT INTO journal
            (action, path, org_uid, parent_org_uid, org_name, preexisting, created_at, run_id)
          VALUES (${entry.action}, ${entry.path}, ${entry.orgUid}, ${entry.parentOrgUid}, ${entry.orgName},
            ${JSON.stringify(entry.preexisting)}, ${createdAt}, ${entry.runId ?? null}) RETURNING id`).pipe(
        Effect.map((rows) => rows[0]!.id),
        Effect.mapError(toError("write the journal"))
      )

    const journalSettle: StateDb["Type"]["journalSettle"] = (id, outcome, detail) =>
      Effect.flatMap(now, (settledAt) =>
        sql`UPDATE journal SET outcome = ${outcome}, settled_at = ${settledAt},
              result_org_uid = ${detail?.orgUid ?? null}, error = ${detail?.error ?? null}
            WHERE id = ${id}`).pipe(Effect.asVoid, Effect.mapError(toError("settle the journal")))

    const journalAnswered: StateDb["Type"]["journalAnswered"] = (id, answer) =>
      sql`UPDATE journal SET answer = ${answer} WHERE id = ${id}`.pipe(
        Effect.asVoid,
        Effect.mapError(toError("write the journal"))
      )

    // Runs of this process that are not finished: when the database closes, they were cut short.
    const unfinished = new Set<number>()

    const runStart = (kind: RunKind, dryRun: boolean, commit?: RunCommit) =>
      Effect.flatMap(now, (startedAt) =>
        sql<{ id: number }>`INSERT INTO run
            (kind, started_at, dry_run, pid, host, commit_sha, commit_author, commit_subject)
          VALUES (${kind}, ${startedAt}, ${dryRun ? 1 : 0}, ${process.pid}, ${os.hostname()},
            ${commit?.sha ?? null}, ${commit?.author ?? null}, ${commit?.subject ?? null}) RETURNING id`).pipe(
        Effect.map((rows) => rows[0]!.id),
        Effect.tap((id) => Effect.sync(() => unfinished.add(id))),
        Effect.mapError(toError("record the run"))
      )

    const runFinish: StateDb["Type"]["runFinish"] = (id, result, counts, errors) =>
      Effect.flatMap(now, (finishedAt) =>
        sql`UPDATE run SET finished_at = ${finishedAt}, result = ${result},
              counts = ${JSON.stringify(counts)}, errors = ${JSON.stringify(errors)}
            WHERE id = ${id}`).pipe(
        Effect.tap(() => Effect.sync(() => unfinished.delete(id))),
        Effect.asVoid,
        Effect.mapError(toError("record the run"))
      )

    yield* Effect.addFinalizer((exit) =>
      unfinished.size === 0 ? Effect.void : Effect.flatMap(now, (finishedAt) =>
        sql`UPDATE run SET finished_at = ${finishedAt},
            result = ${Exit.isInterrupted(exit) ? "interrupted" : "abandoned"}
          WHERE result IS NULL AND ${sql.in("id", [...unfinished])}`).pipe(Effect.ignore)
    )

    // Runs that a process of this host left unfinished and that is gone: abandoned, not running for ever.
    const open = yield* sql<{ id: number; pid: number | null; host: string | null }>`SELECT id, pid, host FROM run
      WHERE result IS NULL`.pipe(Effect.orElseSucceed(() => []))
    const abandoned = open.filter(Rows.abandoned)
    if (abandoned.length > 0) {
      yield* sql`UPDATE run SET result = 'abandoned' WHERE ${sql.in("id", abandoned.map((run) => run.id))}`.pipe(
        Effect.mapError(toError("record the run"))
      )
    }

    const setMeta = (key: string, value: string) =>
      setMetaRaw(key, value).pipe(Effect.asVoid, Effect.mapError(toError("write a setting")))

    return StateDb.of({
      ...reader,
      history: yield* WriteHistory.make(path),
      drift: yield* DriftHistory.make(path),
      decisions: yield* HeldDecisions.make(path),
      saveSnapshot,
      saveIdentities,
      forgetIdentities,
      journalBegin,
      journalAnswered,
      journalSettle,
      runStart,
      runFinish,
      setMeta
    })
  })

const opening = (path: string) => (cause: unknown) =>
  cause instanceof StateDbError ? cause : failure(`cannot open the state database ${path}`, cause)

/**
 * The writer of the state database at `path`: takes its lock (failing with `StateLocked` while another
 * process holds it), then creates (0600), migrates and opens it. It is a reader too.
 */
export const layer = (path: string): Layer.Layer<
  StateDb | StateReader,
  StateDbError | StateLock.StateLocked | StateLock.StateLockError,
  FileSystem.FileSystem | Path.Path
> =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const found = yield* StateFile.inspect(path)
    yield* StateLock.acquire(path)
    yield* StateFile.prepare(path, found)
    const writer = Layer.scoped(StateDb, Effect.zipRight(StateFile.migrate(path), makeWriter(path))).pipe(
      Layer.provide(SqliteClient.layer({ filename: path, disableWAL: true })),
      Layer.mapError(opening(path))
    )
    return Layer.provideMerge(Layer.effect(StateReader, StateDb), writer)
  }))

/** What a read-only open does where there is no database: fail, or read as empty. */
export type Missing = "fail" | "empty"

/**
 * The state database at `path`, read-only: never created, migrated, chmodded or written to, and no lock taken;
 * no `-wal` or `-shm` file is left beside it that was not there (see `StateFile.readable`).
 * A missing database fails with "no state database at PATH" (`missing: "fail"`), or reads as empty.
 */
export const layerReadOnly = (
  path: string,
  options: { readonly missing: Missing }
): Layer.Layer<StateReader, StateDbError, FileSystem.FileSystem> =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const found = yield* StateFile.inspect(path)
    if (found === "absent") {
      return options.missing === "empty"
        ? Layer.succeed(StateReader, Reads.empty(path))
        : yield* failure(`no state database at ${path}`)
    }
    const filename = yield* StateFile.readable(path)
    return Layer.effect(StateReader, Effect.zipRight(StateFile.checkSchema(path), Reads.make(path))).pipe(
      Layer.provide(SqliteClient.layer({ filename, readonly: true, disableWAL: true })),
      Layer.mapError(opening(path))
    )
  }))
