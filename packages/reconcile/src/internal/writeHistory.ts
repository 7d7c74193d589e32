/**
 * The state database's memory of what orgsync wrote and what was changed back since: the last value written
 * to each field of each org, and the flips (a written value found changed back at a later pass) by run, from
 * which an org is contested.
 */
import { SqlClient, SqlSchema } from "@effect/sql"
import { Clock, Effect, Schema } from "effect"
import type { Written } from "../Contest.js"
import { readFailure, type StateDbError, writeFailure } from "./stateDb/error.js"

export interface WriteHistory {
  /** Records values orgsync has just written (each replaces the last one written to that field). */
  readonly wrote: (run: number, written: ReadonlyArray<Written>) => Effect.Effect<void, StateDbError>
  /** The last values written that no flip has been counted against yet. */
  readonly standing: Effect.Effect<ReadonlyArray<Written>, StateDbError>
  /** Counts a flip against each of `reverted` (found changed back in this run). */
  readonly flipped: (run: number, reverted: ReadonlyArray<Written>) => Effect.Effect<void, StateDbError>
  /** The orgs flipped in at least `flips` of the runs after `sinceRun`. */
  readonly contested: (sinceRun: number, flips: number) => Effect.Effect<ReadonlyArray<string>, StateDbError>
  /** Forgets the flips of orgs whose contest is over. */
  readonly settle: (orgUids: ReadonlyArray<string>) => Effect.Effect<void, StateDbError>
}

export const migration = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE written (
    org_uid TEXT NOT NULL, field TEXT NOT NULL, value TEXT, run_id INTEGER NOT NULL,
    flipped INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (org_uid, field))`
  yield* sql`CREATE TABLE flip (
    id INTEGER PRIMARY KEY AUTOINCREMENT, org_uid TEXT NOT NULL, field TEXT NOT NULL, run_id INTEGER NOT NULL,
    at TEXT NOT NULL)`
  yield* sql`CREATE INDEX flip_org ON flip (org_uid, run_id)`
})

const chunk = 300

const WrittenRow = Schema.Struct({
  org_uid: Schema.String,
  field: Schema.Literal("status", "name", "extRef", "notes"),
  value: Schema.NullOr(Schema.String)
})

const ContestedRow = Schema.Struct({ org_uid: Schema.String })

/** Over an open, migrated SqlClient of the database at `path`. */
export const make = (path: string) =>
  Effect.map(SqlClient.SqlClient, (sql): WriteHistory => {
    const wrote: WriteHistory["wrote"] = (run, written) =>
      sql.withTransaction(Effect.gen(function*() {
        for (let start = 0; start < written.length; start += chunk) {
          const rows = written.slice(start, start + chunk).map((w) => ({
            org_uid: w.orgUid,
            field: w.field,
            value: w.value,
            run_id: run,
            flipped: 0
          }))
          yield* sql`INSERT INTO written ${sql.insert(rows)}
            ON CONFLICT (org_uid, field) DO UPDATE SET value = excluded.value, run_id = excluded.run_id, flipped = 0`
        }
      })).pipe(Effect.mapError(writeFailure(path, "record the writes")))

    const standingRows = SqlSchema.findAll({
      Request: Schema.Void,
      Result: WrittenRow,
      execute: () => sql`SELECT org_uid, field, value FROM written WHERE flipped = 0 ORDER BY org_uid, field`
    })
    const standing = standingRows(undefined).pipe(
      Effect.map((rows) => rows.map((row): Written => ({ orgUid: row.org_uid, field: row.field, value: row.value }))),
      Effect.mapError(readFailure(path, "the record of writes"))
    )

    const flipped: WriteHistory["flipped"] = (run, reverted) =>
      reverted.length === 0 ? Effect.void : sql.withTransaction(Effect.gen(function*() {
        const at = new Date(yield* Clock.currentTimeMillis).toISOString()
        for (const w of reverted) {
          yield* sql`INSERT INTO flip (org_uid, field, run_id, at) VALUES (${w.orgUid}, ${w.field}, ${run}, ${at})`
          yield* sql`UPDATE written SET flipped = 1 WHERE org_uid = ${w.orgUid} AND field = ${w.field}`
        }
      })).pipe(Effect.mapError(writeFailure(path, "record the flips")))

    const contestedRows = SqlSchema.findAll({
      Request: Schema.Struct({ sinceRun: Schema.Int, flips: Schema.Int }),
      Result: ContestedRow,
      execute: ({ flips, sinceRun }) =>
        sql`SELECT org_uid FROM flip WHERE run_id > ${sinceRun}
          GROUP BY org_uid HAVING count(DISTINCT run_id) >= ${flips} ORDER BY org_uid`
    })
    const contested: WriteHistory["contested"] = (sinceRun, flips) =>
      contestedRows({ sinceRun, flips }).pipe(
        Effect.map((rows) => rows.map((row) => row.org_uid)),
        Effect.mapError(readFailure(path, "the record of flips"))
      )

    const settle: WriteHistory["settle"] = (orgUids) =>
      orgUids.length === 0 ? Effect.void : sql`DELETE FROM flip WHERE ${sql.in("org_uid", orgUids)}`.pipe(
        Effect.asVoid,
        Effect.mapError(writeFailure(path, "record the flips"))
      )

    return { wrote, standing, flipped, contested, settle }
  })
