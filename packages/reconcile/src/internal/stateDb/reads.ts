/**
 * The reads of the state database, over an open SqlClient: the same for its writer and for a read-only open.
 * Every row is decoded with its Schema; one that does not decode is a `StateDbError` naming the database.
 */
import { SqlClient, type SqlError, SqlSchema } from "@effect/sql"
import { Effect, Either, Option, type ParseResult, Schema } from "effect"
import type { Held, Readable, Reader, StoredIdentity } from "../../StateDb.js"
import * as DriftHistory from "../driftHistory.js"
import * as WriteHistory from "../writeHistory.js"
import { readFailure, unreadable } from "./error.js"
import * as Rows from "./rows.js"

/**
 * Identities read a statement at a time: a mapping of 100,000 orgs read at once holds a row object and a copy of
 * every string of every row until the last is read.
 */
const identityChunk = 2_000

export const make = (path: string): Effect.Effect<Reader, never, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const read = <A>(what: string, query: Effect.Effect<A, SqlError.SqlError | ParseResult.ParseError>) =>
      Effect.mapError(query, readFailure(path, what))

    const findMeta = SqlSchema.findOne({
      Request: Schema.String,
      Result: Rows.MetaRow,
      execute: (key) => sql`SELECT value FROM meta WHERE key = ${key}`
    })
    const getMeta = (key: string) => read("a setting", Effect.map(findMeta(key), Option.map((row) => row.value)))

    const snapshotRows = SqlSchema.findAll({
      Request: Schema.Void,
      Result: Rows.SnapshotRow,
      execute: () => sql`SELECT * FROM snapshot_org ORDER BY position`
    })
    const snapshot = read(
      "the snapshot",
      Effect.gen(function*() {
        const taken = yield* findMeta("snapshot_taken_at")
        if (Option.isNone(taken)) return Option.none()
        const takenAt = yield* Schema.decode(Schema.Date)(taken.value.value)
        return Option.some({ takenAt, orgs: (yield* snapshotRows(undefined)).map(Rows.snapshotOrg) })
      })
    )

    /** The rows that decode with `schema`, and a sentence for each that does not, naming it by `name`. */
    const decodeEach = <A, I>(
      rows: ReadonlyArray<unknown>,
      schema: Schema.Schema<A, I>,
      name: (row: Record<string, unknown>) => string
    ): Readable<ReadonlyArray<A>> => {
      const decode = Schema.decodeUnknownEither(schema)
      const value: Array<A> = []
      const failed: Array<string> = []
      for (const row of rows) {
        Either.match(decode(row), {
          onLeft: (error) => failed.push(unreadable(path, name(row as Record<string, unknown>), error)),
          onRight: (decoded) => value.push(decoded)
        })
      }
      return { value, unreadable: failed }
    }

    const readableSnapshot = read(
      "the snapshot",
      Effect.gen(function*() {
        const taken = yield* findMeta("snapshot_taken_at")
        if (Option.isNone(taken)) return { value: Option.none(), unreadable: [] }
        const takenAt = Schema.decodeUnknownEither(Schema.Date)(taken.value.value)
        if (Either.isLeft(takenAt)) {
          return {
            value: Option.none(),
            unreadable: [unreadable(path, "the snapshot's time (table meta, key snapshot_taken_at)", takenAt.left)]
          }
        }
        const rows = decodeEach(
          yield* sql`SELECT * FROM snapshot_org ORDER BY position`,
          Rows.SnapshotRow,
          (row) => `the snapshot's org ${String(row["org_uid"])} (table snapshot_org)`
        )
        return {
          value: Option.some({ takenAt: takenAt.right, orgs: rows.value.map(Rows.snapshotOrg) }),
          unreadable: rows.unreadable
        }
      })
    )

    const decodeIdentityRows = Schema.decodeUnknown(Schema.Array(Rows.IdentityRow))
    const identityRows = (after: string | undefined) =>
      after === undefined
        ? sql`SELECT path, org_uid, org_id, org_guid, applied FROM identity ORDER BY path LIMIT ${identityChunk}`
        : sql`SELECT path, org_uid, org_id, org_guid, applied FROM identity WHERE path > ${after}
            ORDER BY path LIMIT ${identityChunk}`
    // Chunk by chunk, in one transaction: each chunk's rows are let go before the next is read.
    const identitiesSharing = (held: Held | undefined) =>
      read(
        "the identity mapping",
        sql.withTransaction(Effect.gen(function*() {
          const identities: Array<StoredIdentity> = []
          for (;;) {
            const rows = yield* identityRows(identities.at(-1)?.path)
            const chunk = Rows.quickIdentities(rows, held) ??
              (yield* decodeIdentityRows(rows)).map(Rows.storedIdentity)
            for (const identity of chunk) identities.push(identity)
            if (rows.length < identityChunk) return identities
          }
        }))
      )

    const unsettledRows = SqlSchema.findAll({
      Request: Schema.Void,
      Result: Rows.JournalRow,
      execute: () => sql`SELECT * FROM journal WHERE outcome IS NULL ORDER BY id`
    })
    const unsettled = read("the journal", Effect.map(unsettledRows(undefined), (rows) => rows.map(Rows.journalEntry)))

    const journalRowsSince = SqlSchema.findAll({
      Request: Schema.String,
      Result: Rows.JournalRow,
      execute: (since) => sql`SELECT * FROM journal WHERE created_at >= ${since} ORDER BY id`
    })
    const journalSince = (since: Date) =>
      read(
        "the journal",
        Effect.map(journalRowsSince(since.toISOString()), (rows) =>
          rows.map((row) => ({ ...Rows.journalEntry(row), outcome: row.outcome ?? undefined, resultOrgUid: row.result_org_uid })))
      )

    const readableRuns = (limit: number) =>
      read(
        "the run history",
        Effect.map(sql`SELECT * FROM run ORDER BY id DESC LIMIT ${limit}`, (rows) => {
          const runs = decodeEach(rows, Rows.RunRow, (row) => `run #${String(row["id"])} (table run)`)
          return { value: runs.value.map(Rows.runRecord), unreadable: runs.unreadable }
        })
      )
    // The history is for people to look at: a row that does not decode is left out, never the end of a run.
    const recentRuns = (limit: number) => Effect.map(readableRuns(limit), (runs) => runs.value)

    const findRun = SqlSchema.findOne({
      Request: Schema.Int,
      Result: Rows.RunRow,
      execute: (id) => sql`SELECT * FROM run WHERE id = ${id}`
    })
    const writeRows = SqlSchema.findAll({
      Request: Schema.Int,
      Result: Rows.JournalRow,
      execute: (id) => sql`SELECT * FROM journal WHERE run_id = ${id} ORDER BY id`
    })
    const runWithWrites = (id: number) =>
      read(
        "the run history",
        Effect.gen(function*() {
          const found = yield* findRun(id)
          if (Option.isNone(found)) return Option.none()
          const writes = yield* writeRows(id)
          return Option.some({ run: Rows.runRecord(found.value), writes: writes.map(Rows.runWrite) })
        })
      )

    const history = yield* WriteHistory.make(path)
    const drift = yield* DriftHistory.make(path)

    return {
      path,
      snapshot,
      identities: identitiesSharing(undefined),
      identitiesSharing,
      unsettled,
      journalSince,
      recentRuns,
      readableRuns,
      readableSnapshot,
      runWithWrites,
      getMeta,
      history: { standing: history.standing, contested: history.contested },
      drift: { ofRun: drift.ofRun }
    }
  })

/** A state database that does not exist yet, read: nothing in it (the first plan, before any apply). */
export const empty = (path: string): Reader => ({
  path,
  snapshot: Effect.succeedNone,
  identities: Effect.succeed([]),
  identitiesSharing: () => Effect.succeed([]),
  unsettled: Effect.succeed([]),
  journalSince: () => Effect.succeed([]),
  recentRuns: () => Effect.succeed([]),
  readableRuns: () => Effect.succeed({ value: [], unreadable: [] }),
  readableSnapshot: Effect.succeed({ value: Option.none(), unreadable: [] }),
  runWithWrites: () => Effect.succeedNone,
  getMeta: () => Effect.succeedNone,
  history: { standing: Effect.succeed([]), contested: () => Effect.succeed([]) },
  drift: { ofRun: () => Effect.succeed([]) }
})
