/**
 * An SQLite database of another application at the state path is refused before anything is written to it.
 */
import { NodeContext } from "@effect/platform-node"
import * as Reactivity from "@effect/experimental/Reactivity"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { expect } from "vitest"
import * as StateDb from "../src/StateDb.js"

it.effect("refuses another application's SQLite database and leaves it byte for byte", () =>
  Effect.gen(function*() {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-foreign-")), "app.db")
    yield* Effect.scoped(Effect.gen(function*() {
      const sql = yield* SqliteClient.make({ filename: file, disableWAL: true })
      yield* sql`CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)`
      yield* sql`INSERT INTO customers (name) VALUES ('Ada')`
    }).pipe(Effect.provide(Reactivity.layer)))
    const before = fs.readFileSync(file)
    const error = yield* Effect.flip(
      Effect.flatMap(StateDb.StateDb, (db) => db.recentRuns(1)).pipe(
        Effect.provide(StateDb.layer(file)),
        Effect.provide(NodeContext.layer)
      )
    )
    expect(error.message).toContain(`${file} is an SQLite database of another application`)
    expect(fs.readFileSync(file).equals(before)).toBe(true)
    expect(fs.existsSync(`${file}-wal`)).toBe(false)
  }))

it.effect("opens a state database a writer was cut off creating: only the empty migrations table, and migrates it", () =>
  Effect.gen(function*() {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-cutoff-")), "state.db")
    // What the migrator leaves when the process is killed after making its table and before the first migration.
    yield* Effect.scoped(Effect.gen(function*() {
      const sql = yield* SqliteClient.make({ filename: file })
      yield* sql`CREATE TABLE IF NOT EXISTS effect_sql_migrations (
        migration_id integer PRIMARY KEY NOT NULL,
        created_at datetime NOT NULL DEFAULT current_timestamp,
        name VARCHAR(255) NOT NULL
      )`
    }).pipe(Effect.provide(Reactivity.layer)))
    const runs = yield* Effect.flatMap(StateDb.StateDb, (db) => db.recentRuns(1)).pipe(
      Effect.provide(StateDb.layer(file)),
      Effect.provide(NodeContext.layer)
    )
    expect(runs).toEqual([])
  }))
