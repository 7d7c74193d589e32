/**
 * The state database's record of drift: each run's drifted fields, with the value orgsync applied, the value
 * found, and when that drift was first seen, carried over from the run before while it stays the same.
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Effect } from "effect"
import * as DriftReport from "../DriftReport.js"

export interface DriftHistory<E> {
  /**
   * Records the drift `run` found; a drift found at the same value by the last finished run before keeps the
   * time it was first seen. Answers the details as recorded.
   */
  readonly record: (
    run: number,
    found: ReadonlyArray<DriftReport.Detail>
  ) => Effect.Effect<ReadonlyArray<DriftReport.Detail>, E>
  /** The drift recorded by a run. */
  readonly ofRun: (run: number) => Effect.Effect<ReadonlyArray<DriftReport.Detail>, E>
}

export const migration = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE drift (
    run_id INTEGER NOT NULL, path TEXT NOT NULL, org_uid TEXT NOT NULL, field TEXT NOT NULL,
    applied TEXT, current TEXT, seen_at TEXT NOT NULL, PRIMARY KEY (run_id, org_uid, field))`
})

interface Row {
  readonly path: string
  readonly org_uid: string
  readonly field: DriftReport.Field
  readonly applied: string | null
  readonly current: string | null
  readonly seen_at: string
}

const detail = (row: Row): DriftReport.Detail => ({
  path: row.path,
  orgUid: row.org_uid,
  field: row.field,
  applied: row.applied,
  current: row.current,
  seenAt: new Date(row.seen_at)
})

const chunk = 300

/** Over an open, migrated SqlClient; `fail` names what could not be done. */
export const make = <E>(fail: (message: string) => (cause: SqlError.SqlError) => E) =>
  Effect.map(SqlClient.SqlClient, (sql): DriftHistory<E> => {
    const rowsOf = (run: number) =>
      sql<Row>`SELECT path, org_uid, field, applied, current, seen_at FROM drift WHERE run_id = ${run}
        ORDER BY path, field`.pipe(Effect.map((rows) => rows.map(detail)))

    const record: DriftHistory<E>["record"] = (run, found) =>
      sql.withTransaction(Effect.gen(function*() {
        if (found.length === 0) return found
        // The last run before this one that reached Code42 and recorded how it ended.
        const previous = yield* sql<{ id: number }>`SELECT id FROM run WHERE id < ${run}
          AND result IN ('converged', 'pending', 'failed', 'refused') ORDER BY id DESC LIMIT 1`
        const before = previous.length === 0 ? [] : yield* rowsOf(previous[0]!.id)
        const details = DriftReport.since(found, before)
        for (let start = 0; start < details.length; start += chunk) {
          const rows = details.slice(start, start + chunk).map((d) => ({
            run_id: run,
            path: d.path,
            org_uid: d.orgUid,
            field: d.field,
            applied: d.applied,
            current: d.current,
            seen_at: d.seenAt.toISOString()
          }))
          yield* sql`INSERT OR REPLACE INTO drift ${sql.insert(rows)}`
        }
        return details
      })).pipe(Effect.mapError(fail("cannot record the drift")))

    const ofRun: DriftHistory<E>["ofRun"] = (run) => rowsOf(run).pipe(Effect.mapError(fail("cannot read the drift")))

    return { record, ofRun }
  })
