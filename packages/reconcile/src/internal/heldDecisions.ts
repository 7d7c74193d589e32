/**
 * The state database's record of what people decided about held changes: each approval or rejection, by the
 * checksum of the change it names, so that a restart neither forgets a decision nor stretches it to another
 * change. The daemon forgets an approval once a pass has used it or let it lapse, and a rejection once its
 * change is no longer planned.
 */
import { SqlClient, SqlSchema } from "@effect/sql"
import { Effect, Schema } from "effect"
import { readFailure, type StateDbError, writeFailure } from "./stateDb/error.js"

const DecisionSchema = Schema.Literal("approved", "rejected")

export type Decision = typeof DecisionSchema.Type

export interface Decided {
  readonly checksum: string
  readonly decision: Decision
  readonly decidedAt: Date
}

export interface HeldDecisions {
  readonly all: Effect.Effect<ReadonlyArray<Decided>, StateDbError>
  /** Records `decision` for each checksum, replacing what was decided about it before. */
  readonly decide: (checksums: ReadonlyArray<string>, decision: Decision, at: Date) => Effect.Effect<void, StateDbError>
  readonly forget: (checksums: ReadonlyArray<string>) => Effect.Effect<void, StateDbError>
}

export const migration = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE held_decision (
    checksum TEXT PRIMARY KEY, decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
    decided_at TEXT NOT NULL)`
})

const Row = Schema.Struct({ checksum: Schema.String, decision: DecisionSchema, decided_at: Schema.Date })

/** Over an open, migrated SqlClient of the database at `path`. */
export const make = (path: string) =>
  Effect.map(SqlClient.SqlClient, (sql): HeldDecisions => {
    const rows = SqlSchema.findAll({
      Request: Schema.Void,
      Result: Row,
      execute: () => sql`SELECT checksum, decision, decided_at FROM held_decision ORDER BY decided_at, checksum`
    })
    return {
      all: rows(undefined).pipe(
        Effect.map((found) =>
          found.map((row) => ({ checksum: row.checksum, decision: row.decision, decidedAt: row.decided_at }))
        ),
        Effect.mapError(readFailure(path, "the decisions about held changes"))
      ),
      decide: (checksums, decision, at) =>
        checksums.length === 0 ? Effect.void : sql`INSERT OR REPLACE INTO held_decision ${
          sql.insert(checksums.map((checksum) => ({ checksum, decision, decided_at: at.toISOString() })))
        }`.pipe(Effect.asVoid, Effect.mapError(writeFailure(path, "record a decision about held changes"))),
      forget: (checksums) =>
        checksums.length === 0
          ? Effect.void
          : sql`DELETE FROM held_decision WHERE ${sql.in("checksum", checksums)}`.pipe(
            Effect.asVoid,
            Effect.mapError(writeFailure(path, "forget decisions about held changes"))
          )
    }
  })
