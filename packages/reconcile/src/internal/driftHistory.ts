/**
 * The state database's record of drift: each run's drifted fields, with the value orgsync applied, the value
 * found, and when that drift was first seen, carried over from the run before while it stays the same. The
 * value orgsync applied is one it wrote: to the field (the record of writes), or by creating the org (the
 * journal); a field orgsync found as the files ask and never wrote has none.
 */
import { SqlClient, SqlSchema } from "@effect/sql"
import { Effect, Option, Schema } from "effect"
import * as DriftReport from "../DriftReport.js"
import { readFailure, type StateDbError, writeFailure } from "./stateDb/error.js"

export interface DriftHistory {
  /**
   * Records the drift `run` found; a drift found at the same value by the last finished run before keeps the
   * time it was first seen, and a field orgsync never wrote at the value it applied loses that value. Answers
   * the details as recorded.
   */
  readonly record: (
    run: number,
    found: ReadonlyArray<DriftReport.Detail>
  ) => Effect.Effect<ReadonlyArray<DriftReport.Detail>, StateDbError>
  /** The drift recorded by a run. */
  readonly ofRun: (run: number) => Effect.Effect<ReadonlyArray<DriftReport.Detail>, StateDbError>
}

export const migration = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE drift (
    run_id INTEGER NOT NULL, path TEXT NOT NULL, org_uid TEXT NOT NULL, field TEXT NOT NULL,
    applied TEXT, current TEXT, seen_at TEXT NOT NULL, PRIMARY KEY (run_id, org_uid, field))`
})

/** Whether `applied` is a value orgsync wrote (1) or orgsync never wrote the field (0, `applied` is null). */
export const writtenMigration = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE drift ADD COLUMN written INTEGER NOT NULL DEFAULT 1`
})

const DriftRow = Schema.Struct({
  path: Schema.String,
  org_uid: Schema.String,
  field: Schema.Literal("name", "extRef", "notes", "status"),
  applied: Schema.NullOr(Schema.String),
  current: Schema.NullOr(Schema.String),
  seen_at: Schema.Date,
  written: Schema.Number
})

const detail = (row: typeof DriftRow.Type): DriftReport.Detail => ({
  path: row.path,
  orgUid: row.org_uid,
  field: row.field,
  ...(row.written === 0 ? {} : { applied: row.applied }),
  current: row.current,
  seenAt: row.seen_at
})

/** `""` and null alike: Code42 holds an empty text as nothing. */
const same = (a: string | null | undefined, b: string | null | undefined) => (a || null) === (b || null)

const WrittenRow = Schema.Struct({ org_uid: Schema.String, field: Schema.String, value: Schema.NullOr(Schema.String) })
const CreatedRow = Schema.Struct({ org_uid: Schema.String })

const chunk = 300

/** Over an open, migrated SqlClient of the database at `path`. */
export const make = (path: string) =>
  Effect.map(SqlClient.SqlClient, (sql): DriftHistory => {
    const driftRows = SqlSchema.findAll({
      Request: Schema.Int,
      Result: DriftRow,
      execute: (run) =>
        sql`SELECT path, org_uid, field, applied, current, seen_at, written FROM drift WHERE run_id = ${run}
          ORDER BY path, field`
    })
    const rowsOf = (run: number) =>
      Effect.map(driftRows(run), (rows) => rows.map(detail)).pipe(Effect.mapError(readFailure(path, "the drift")))

    // The last run before this one that reached Code42 and recorded how it ended.
    const previousRun = SqlSchema.findOne({
      Request: Schema.Int,
      Result: Schema.Struct({ id: Schema.Int }),
      execute: (run) =>
        sql`SELECT id FROM run WHERE id < ${run}
          AND result IN ('converged', 'pending', 'failed', 'refused') ORDER BY id DESC LIMIT 1`
    })

    const writtenRows = SqlSchema.findAll({
      Request: Schema.Array(Schema.String),
      Result: WrittenRow,
      execute: (uids) => sql`SELECT org_uid, field, value FROM written WHERE ${sql.in("org_uid", uids)}`
    })
    const createdRows = SqlSchema.findAll({
      Request: Schema.Array(Schema.String),
      Result: CreatedRow,
      execute: (uids) =>
        sql`SELECT DISTINCT result_org_uid AS org_uid FROM journal WHERE action = 'create'
          AND outcome IN ('done', 'adopted') AND ${sql.in("result_org_uid", uids)}`
    })

    /** `found` without the applied value of each field orgsync never wrote at that value. */
    const asWritten = (found: ReadonlyArray<DriftReport.Detail>) =>
      Effect.gen(function*() {
        const uids = [...new Set(found.map((d) => d.orgUid))]
        const written = new Map<string, string | null>()
        const created = new Set<string>()
        for (let start = 0; start < uids.length; start += chunk) {
          const part = uids.slice(start, start + chunk)
          for (const row of yield* writtenRows(part)) written.set(`${row.org_uid}\u0000${row.field}`, row.value)
          for (const row of yield* createdRows(part)) created.add(row.org_uid)
        }
        return found.map((d) => {
          const key = `${d.orgUid}\u0000${d.field}`
          const wrote = written.has(key) ? same(written.get(key), d.applied) : created.has(d.orgUid)
          if (wrote) return d
          const { applied: _, ...rest } = d
          return rest
        })
      }).pipe(Effect.mapError(readFailure(path, "the record of writes")))

    const record: DriftHistory["record"] = (run, found) =>
      found.length === 0 ? Effect.succeed(found) : sql.withTransaction(Effect.gen(function*() {
        const previous = yield* previousRun(run).pipe(Effect.mapError(readFailure(path, "the run history")))
        const before = Option.isNone(previous) ? [] : yield* rowsOf(previous.value.id)
        const details = DriftReport.since(yield* asWritten(found), before)
        for (let start = 0; start < details.length; start += chunk) {
          const rows = details.slice(start, start + chunk).map((d) => ({
            run_id: run,
            path: d.path,
            org_uid: d.orgUid,
            field: d.field,
            applied: d.applied ?? null,
            current: d.current,
            seen_at: d.seenAt.toISOString(),
            written: "applied" in d ? 1 : 0
          }))
          yield* sql`INSERT OR REPLACE INTO drift ${sql.insert(rows)}`.pipe(
            Effect.mapError(writeFailure(path, "record the drift"))
          )
        }
        return details
      })).pipe(Effect.catchTag("SqlError", (cause) => Effect.fail(writeFailure(path, "record the drift")(cause))))

    return { record, ofRun: rowsOf }
  })
