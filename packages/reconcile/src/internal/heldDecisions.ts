/**
 * The state database's record of what people decided about held changes: each approval or rejection, by the
 * checksum of the change it names, so that a restart neither forgets a decision nor stretches it to another
 * change. The daemon forgets an approval once a pass has used it or let it lapse, and a rejection once its
 * change is no longer planned.
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Effect } from "effect"

export type Decision = "approved" | "rejected"

export interface Decided {
  readonly checksum: string
  readonly decision: Decision
  readonly decidedAt: Date
}

export interface HeldDecisions<E> {
  readonly all: Effect.Effect<ReadonlyArray<Decided>, E>
  /** Records `decision` for each checksum, replacing what was decided about it before. */
  readonly decide: (checksums: ReadonlyArray<string>, decision: Decision, at: Date) => Effect.Effect<void, E>
  readonly forget: (checksums: ReadonlyArray<string>) => Effect.Effect<void, E>
}

export const migration = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE held_decision (
    checksum TEXT PRIMARY KEY, decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
    decided_at TEXT NOT NULL)`
})

interface Row {
  readonly checksum: string
  readonly decision: Decision
  readonly decided_at: string
}

/** Over an open, migrated SqlClient; `fail` names what could not be done. */
export const make = <E>(fail: (message: string) => (cause: SqlError.SqlError) => E) =>
  Effect.map(SqlClient.SqlClient, (sql): HeldDecisions<E> => ({
    all: sql<Row>`SELECT checksum, decision, decided_at FROM held_decision ORDER BY decided_at, checksum`.pipe(
      Effect.map((rows) =>
        rows.map((row) => ({ checksum: row.checksum, decision: row.decision, decidedAt: new Date(row.decided_at) }))
      ),
      Effect.mapError(fail("cannot read the decisions about held changes"))
    ),
    decide: (checksums, decision, at) =>
      checksums.length === 0 ? Effect.void : sql`INSERT OR REPLACE INTO held_decision ${
        sql.insert(checksums.map((checksum) => ({ checksum, decision, decided_at: at.toISOString() })))
      }`.pipe(Effect.asVoid, Effect.mapError(fail("cannot record a decision about held changes"))),
    forget: (checksums) =>
      checksums.length === 0
        ? Effect.void
        : sql`DELETE FROM held_decision WHERE ${sql.in("checksum", checksums)}`.pipe(
          Effect.asVoid,
          Effect.mapError(fail("cannot forget decisions about held changes"))
        )
  }))
