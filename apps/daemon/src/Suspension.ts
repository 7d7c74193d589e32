/**
 * Writing suspended on a state database (`orgsync suspend`), as the daemon keeps it across its restarts, and
 * what a one-shot command does about it: `apply` refuses, `plan` says so.
 */
import { Data, Effect, Option } from "effect"
import { StateDb } from "@c42/reconcile"

/** The meta key: the time writing was suspended, or empty. */
export const key = "daemon_suspended"

/**
 * Writing suspended on this state database, as a daemon keeps it across its restarts: since when, where the
 * date recorded reads as one.
 */
export const read = (
  db: StateDb.Reader
): Effect.Effect<Option.Option<{ readonly since: Date | undefined }>, StateDb.StateDbError> =>
  Effect.map(
    db.getMeta(key),
    Option.flatMap((value) => {
      if (value === "") return Option.none()
      const since = new Date(value)
      return Option.some({ since: Number.isNaN(since.getTime()) ? undefined : since })
    })
  )

/** `writes to Code42 are suspended (orgsync suspend, since ...)`, as the commands say it. */
export const describe = (since: Date | undefined): string =>
  `writes to Code42 are suspended (orgsync suspend${since === undefined ? "" : `, since ${since.toISOString()}`})`

/** A one-shot apply on a state database whose daemon suspended writing. */
export class WritesSuspended extends Data.TaggedError("WritesSuspended")<{
  readonly path: string
  readonly since: Date | undefined
}> {
  override get message(): string {
    return `apply refused: ${describe(this.since)} on the state database ${this.path}; to lift it, run ` +
      "orgsync resume against the daemon, starting it first with orgsync run if it is stopped (it starts suspended " +
      "and writes nothing until resumed)"
  }
}

/**
 * Refuses a one-shot apply while writing is suspended on its state database, as the daemon would: before any
 * plan or write, the run recorded as refused.
 */
export const refuseWhileSuspended: Effect.Effect<void, WritesSuspended | StateDb.StateDbError, StateDb.StateDb> = Effect
  .gen(function*() {
    const db = yield* StateDb.StateDb
    const found = yield* read(db)
    if (Option.isNone(found)) return
    const refused = new WritesSuspended({ path: db.path, since: found.value.since })
    const run = yield* db.runStart("apply", false)
    yield* db.runFinish(run, "refused", {}, [refused.message])
    return yield* refused
  })
