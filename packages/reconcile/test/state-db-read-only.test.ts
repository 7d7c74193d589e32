/**
 * One writer per state database, enforced where it is opened: the writer layer holds the lock; a read-only
 * open (plan, status) creates, migrates, chmods and writes nothing, and leaves a daemon's journal alone.
 */
import { NodeContext } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as StateDb from "../src/StateDb.js"

const tempPath = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-readonly-")), "state.db")

const writing = <A, E>(file: string, body: Effect.Effect<A, E, StateDb.StateDb | StateDb.StateReader>) =>
  body.pipe(Effect.provide(StateDb.layer(file)), Effect.provide(NodeContext.layer))

const reading = <A, E>(file: string, body: Effect.Effect<A, E, StateDb.StateReader>, missing: StateDb.Missing = "fail") =>
  body.pipe(Effect.provide(StateDb.layerReadOnly(file, { missing })), Effect.provide(NodeContext.layer))

/** Bytes, mode and modification time: a file left exactly as it was. */
const fingerprint = (file: string) => {
  const info = fs.statSync(file)
  return { bytes: fs.readFileSync(file).toString("base64"), mode: info.mode, mtimeMs: info.mtimeMs }
}

/** A database as a daemon leaves it mid-write: one journal entry sent and not settled, one run unfinished. */
const inFlight = (file: string) =>
  writing(file, Effect.gen(function*() {
    const db = yield* StateDb.StateDb
    yield* db.runStart("run", false)
    yield* db.journalBegin({
      action: "create", path: "Sales/EMEA", orgUid: null, parentOrgUid: "11", orgName: "EMEA", preexisting: []
    })
  }))

/** Runs a statement on the file as another program would (to damage it on purpose). */
const raw = (file: string, statement: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(statement)).pipe(
    Effect.provide(SqliteClient.layer({ filename: file, disableWAL: true }))
  )

describe("a state database opened read-only", () => {
  it.effect("reads a daemon's unsettled journal and leaves it unsettled, the file byte for byte", () =>
    Effect.gen(function*() {
      const file = tempPath()
      yield* inFlight(file)
      const before = fingerprint(file)
      const seen = yield* reading(file, Effect.gen(function*() {
        const db = yield* StateDb.StateReader
        return { unsettled: yield* db.unsettled, runs: yield* db.recentRuns(5), snapshot: yield* db.snapshot }
      }))
      expect(seen.unsettled.map((entry) => entry.path)).toEqual(["Sales/EMEA"])
      expect(seen.snapshot).toEqual(Option.none())
      expect(fingerprint(file)).toEqual(before)
      expect(fs.existsSync(`${file}.lock`)).toBe(false)
      const after = yield* writing(file, Effect.flatMap(StateDb.StateDb, (db) => db.unsettled))
      expect(after.map((entry) => entry.path)).toEqual(["Sales/EMEA"])
    }))

  it.effect("shows a run whose process is gone as abandoned without recording it", () =>
    Effect.gen(function*() {
      const file = tempPath()
      yield* inFlight(file)
      // The run was this process's: make it look like a process that is gone.
      yield* raw(file, "UPDATE run SET pid = 999999999, result = NULL, finished_at = NULL")
      const before = fingerprint(file)
      const runs = yield* reading(file, Effect.flatMap(StateDb.StateReader, (db) => db.recentRuns(1)))
      expect(runs[0]!.result).toBe("abandoned")
      expect(fingerprint(file)).toEqual(before)
    }))

  it.effect("is never created: a missing database is an error naming it, or reads as empty", () =>
    Effect.gen(function*() {
      const file = tempPath()
      const error = yield* Effect.flip(reading(file, Effect.flatMap(StateDb.StateReader, (db) => db.recentRuns(1))))
      expect(error.message).toBe(`no state database at ${file}`)
      const runs = yield* reading(file, Effect.flatMap(StateDb.StateReader, (db) => db.recentRuns(1)), "empty")
      expect(runs).toEqual([])
      expect(fs.readdirSync(path.dirname(file))).toEqual([])
    }))

  it.effect("keeps the mode of the file and runs no migration on an older schema", () =>
    Effect.gen(function*() {
      const file = tempPath()
      yield* writing(file, Effect.flatMap(StateDb.StateDb, (db) => db.setMeta("k", "v")))
      fs.chmodSync(file, 0o644)
      expect(yield* reading(file, Effect.flatMap(StateDb.StateReader, (db) => db.getMeta("k")))).toEqual(Option.some("v"))
      expect(fs.statSync(file).mode & 0o777).toBe(0o644)

      yield* raw(
        file,
        "DELETE FROM effect_sql_migrations WHERE migration_id = (SELECT max(migration_id) FROM effect_sql_migrations)"
      )
      const before = fingerprint(file)
      const error = yield* Effect.flip(reading(file, Effect.flatMap(StateDb.StateReader, (db) => db.getMeta("k"))))
      expect(error.message).toBe(
        `the state database ${file} was written by an older orgsync: run orgsync apply or orgsync run once to ` +
          "upgrade it, then try again"
      )
      expect(fingerprint(file)).toEqual(before)
    }))
})

describe("the writer of a state database", () => {
  it.scoped("holds the lock while it is open: a second writer is refused, a reader is not", () =>
    Effect.gen(function*() {
      const file = tempPath()
      const context = yield* Layer.build(StateDb.layer(file).pipe(Layer.provide(NodeContext.layer)))
      expect(fs.existsSync(`${file}.lock`)).toBe(true)
      const second = yield* Effect.flip(writing(file, Effect.flatMap(StateDb.StateDb, (db) => db.recentRuns(1))))
      expect(second._tag).toBe("StateLocked")
      expect(second.message).toContain(`pid ${process.pid}`)
      const runs = yield* reading(file, Effect.flatMap(StateDb.StateReader, (db) => db.recentRuns(1)))
      expect(runs).toEqual([])
      expect(context).toBeDefined()
    }))
})
