/**
 * Creating the state database and telling it from another application's: a new database appears whole (never
 * an empty file a cut-off writer leaves for every later command to refuse), and a database that is refused is
 * left exactly as it was, its mode included.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import * as Reactivity from "@effect/experimental/Reactivity"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { expect } from "vitest"
import * as StateFile from "../src/internal/stateDb/file.js"
import * as StateDb from "../src/StateDb.js"

const folder = () => fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-create-"))

/** A database of another application, made with `statements`, mode 0644. */
const foreignDb = (statements: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const file = path.join(folder(), "app.db")
    yield* Effect.scoped(Effect.gen(function*() {
      const sql = yield* SqliteClient.make({ filename: file, disableWAL: true })
      for (const statement of statements) yield* sql.unsafe(statement)
    }).pipe(Effect.provide(Reactivity.layer)))
    fs.chmodSync(file, 0o644)
    return file
  })

const openWriter = (file: string) =>
  Effect.flatMap(StateDb.StateDb, (db) => db.recentRuns(1)).pipe(
    Effect.provide(StateDb.layer(file)),
    Effect.provide(NodeContext.layer)
  )

it.effect("a new state database appears whole: an SQLite database of no table, mode 0600, and nothing else beside it", () =>
  Effect.gen(function*() {
    const dir = folder()
    const file = path.join(dir, "state.db")
    yield* StateFile.prepare(file, "absent").pipe(Effect.provide(NodeContext.layer))
    const bytes = fs.readFileSync(file)
    expect(bytes.length).toBeGreaterThan(0)
    expect(bytes.subarray(0, 16).toString("latin1")).toBe("SQLite format 3\u0000")
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(fs.readdirSync(dir)).toEqual(["state.db"])
    expect(yield* openWriter(file)).toEqual([])
  }))

/** The writer refuses `file` as another application's, and leaves its bytes and its mode as they were. */
const refusedAsItIs = (file: string) =>
  Effect.gen(function*() {
    const before = fs.readFileSync(file)
    const error = yield* Effect.flip(openWriter(file))
    expect(error.message).toContain(`${file} is an SQLite database of another application`)
    expect(fs.readFileSync(file).equals(before)).toBe(true)
    expect(fs.statSync(file).mode & 0o777).toBe(0o644)
  })

it.effect("a database of another application that is refused keeps its bytes and its mode", () =>
  Effect.flatMap(foreignDb(["CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)"]), refusedAsItIs))

const migrations = "CREATE TABLE effect_sql_migrations (migration_id integer PRIMARY KEY NOT NULL, name TEXT NOT NULL)"

for (
  const [what, other] of [
    ["a table named run", "CREATE TABLE run (id INTEGER PRIMARY KEY)"],
    ["a view", "CREATE VIEW v AS SELECT 1"],
    ["an index", "CREATE INDEX migrations_by_name ON effect_sql_migrations (name)"]
  ] as const
) {
  it.effect(`an empty migrations table beside ${what} is another application's database, refused as it is`, () =>
    Effect.flatMap(foreignDb([migrations, other]), refusedAsItIs))
}

it.effect("a migrations table that lists migrations, without orgsync's tables, is another application's", () =>
  Effect.flatMap(
    foreignDb([migrations, "INSERT INTO effect_sql_migrations (migration_id, name) VALUES (1, 'customers')"]),
    refusedAsItIs
  ))

it.effect("a reader of a database an apply stopped as it created it says so, and how to go on", () =>
  Effect.gen(function*() {
    const file = path.join(folder(), "state.db")
    yield* StateFile.prepare(file, "absent").pipe(Effect.provide(NodeContext.layer))
    const error = yield* Effect.flip(
      Effect.flatMap(StateDb.StateReader, (db) => db.recentRuns(1)).pipe(
        Effect.provide(StateDb.layerReadOnly(file, { missing: "fail" })),
        Effect.provide(NodeContext.layer)
      )
    )
    expect(error.message).toBe(
      `the state database ${file} holds nothing yet (an apply or run stopped as it created it): run orgsync apply ` +
        "or orgsync run once, then try again"
    )
  }))

it.effect("a writer stopped while it writes a new database leaves nothing at the path", () =>
  Effect.gen(function*() {
    const file = path.join(folder(), "state.db")
    const killed = yield* Effect.exit(
      StateFile.prepare(file, "absent").pipe(
        Effect.provideServiceEffect(
          FileSystem.FileSystem,
          Effect.map(FileSystem.FileSystem, (fs): FileSystem.FileSystem => ({
            ...fs,
            writeFile: (target, _data, options) =>
              Effect.zipRight(fs.writeFile(target, new Uint8Array(), options), Effect.die("killed"))
          }))
        ),
        Effect.provide(NodeContext.layer)
      )
    )
    expect(Exit.isFailure(killed)).toBe(true)
    expect(fs.existsSync(file)).toBe(false)
    expect(yield* openWriter(file)).toEqual([])
  }))
