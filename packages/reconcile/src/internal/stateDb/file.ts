/**
 * The state database's file: what `--state` names (nothing yet, an SQLite file, or something to refuse), its
 * creation (0600, before SQLite opens it), and the checks each kind of open makes before reading or writing
 * anything: the writer refuses another application's database, and one of a newer orgsync, and migrates; a reader
 * never changes anything.
 */
import { FileSystem, Path } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import * as Migrator from "@effect/sql/Migrator"
import { Effect, Option } from "effect"
import { randomBytes } from "node:crypto"
import * as StateFolder from "../stateFolder.js"
import { failure, sqliteReason } from "./error.js"
import * as Migrations from "./migrations.js"

/** What `--state` names: nothing yet, or an SQLite file (whether it is orgsync's is told once it is open). */
export type Found = "absent" | "database"

const sqliteHeader = "SQLite format 3\u0000"

const notFound = (error: PlatformError) => error._tag === "SystemError" && error.reason === "NotFound"

/**
 * Looks at the path without changing anything there: a folder, a device, an empty file, a file of another
 * kind, or a link to nothing is refused.
 */
export const inspect = (path: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs.stat(path).pipe(Effect.map(Option.some), Effect.catchIf(notFound, () => Effect.succeedNone))
    if (Option.isNone(info)) {
      const link = yield* fs.readLink(path).pipe(Effect.option)
      if (Option.isSome(link)) return yield* failure(`${path} is a symbolic link to ${link.value}, which does not exist`)
      return "absent" as Found
    }
    const { size, type } = info.value
    if (type === "Directory") return yield* failure(`${path} is a folder: --state names the database file in it`)
    if (type !== "File") return yield* failure(`${path} is not a regular file, so not a state database`)
    const header = yield* Effect.scoped(Effect.flatMap(fs.open(path, { flag: "r" }), (file) => file.readAlloc(16)))
    const text = Option.match(header, { onNone: () => "", onSome: (bytes) => new TextDecoder().decode(bytes) })
    if (size === BigInt(0) || text !== sqliteHeader) {
      return yield* failure(`${path} is not an orgsync state database; it is left as it is: choose another --state path`)
    }
    return "database" as Found
  }).pipe(
    Effect.catchIf(
      (error): error is PlatformError => error._tag !== "StateDbError",
      (cause) => failure(`cannot open the state database ${path}: ${cause.message}`, cause)
    )
  )

/**
 * An SQLite database of no table, as bytes: what a new state database starts as, so that the file appears
 * whole. An empty file would be refused by every later command, and a writer stopped between creating the
 * file and SQLite's first write to it would leave one.
 */
const emptyDatabase = Effect.scoped(Effect.flatMap(SqliteClient.SqliteClient, (sql) => sql.export)).pipe(
  Effect.provide(SqliteClient.layer({ filename: ":memory:", disableWAL: true }))
)

/**
 * For the writer: the folder made (0700) where missing, and a new database made beside the path (0600) and
 * linked into place, which fails rather than replace a file another process made there meanwhile.
 */
export const prepare = (path: string, found: Found) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const paths = yield* Path.Path
    yield* StateFolder.ensure(paths.dirname(path)).pipe(Effect.mapError((e) => failure(e.message, e)))
    if (found === "database") return
    const bytes = yield* emptyDatabase.pipe(
      Effect.mapError((cause) => failure(`cannot create the state database ${path}: ${cause.message}`, cause))
    )
    const made = `${path}.${randomBytes(6).toString("hex")}.new`
    yield* Effect.acquireUseRelease(
      fs.writeFile(made, bytes, { flag: "wx", mode: 0o600 }),
      () => fs.link(made, path),
      () => Effect.ignore(fs.remove(made))
    ).pipe(Effect.mapError((cause) => failure(`cannot create the state database ${path}: ${cause.message}`, cause)))
  })

/**
 * For a reader: the file SQLite is to open. While a process has the database open (its `-shm` is beside it),
 * the database itself. Otherwise a read in place would leave `-wal` and `-shm` files beside it, and fail in a
 * folder the reader cannot write to: it reads a private copy (with the `-wal` a writer that stopped short left),
 * removed with the scope.
 */
export const readable = (path: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    if (yield* fs.exists(`${path}-shm`)) return path
    const copy = `${yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-state-" })}/state.db`
    yield* fs.copyFile(path, copy)
    if (yield* fs.exists(`${path}-wal`)) yield* fs.copyFile(`${path}-wal`, `${copy}-wal`)
    return copy
  }).pipe(Effect.mapError((cause) => failure(`cannot read the state database ${path}: ${cause.message}`, cause)))

/** The tables, indexes, views and triggers of the open database; a file SQLite cannot read fails here, with its reason. */
const objects = (path: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ type: string; name: string }>`SELECT type, name FROM sqlite_master`.pipe(
      Effect.map((rows) => ({
        tables: new Set(rows.filter((row) => row.type === "table").map((row) => row.name)),
        count: rows.length
      })),
      Effect.mapError((cause) => failure(`cannot open the state database ${path}: ${sqliteReason(cause)}`, cause))
    ))

const foreign = (path: string) =>
  failure(`${path} is an SQLite database of another application, not an orgsync state database; it is left as it is`)

/**
 * Another application's database, or orgsync's: new (0), or the schema it was last migrated to. orgsync's
 * holds the migrator's table, with the migrations run, and the table of runs. One that holds nothing yet is
 * new: no object at all, or the migrator's own table alone and empty, which a writer stopped between making
 * it and running the first migration leaves.
 */
const classify = (path: string) =>
  Effect.gen(function*() {
    const { count, tables } = yield* objects(path)
    if (count === 0) return 0
    if (!tables.has("effect_sql_migrations")) return yield* foreign(path)
    const version = yield* schemaOf(path)
    if (version === 0 && count === 1) return 0
    if (version === 0 || !tables.has("run")) return yield* foreign(path)
    return version
  })

/**
 * For the writer: an SQLite database of another application is refused before anything is written to it (not
 * even the WAL journal mode); one that holds nothing yet is a new state database. Then migrated to this version.
 */
export const migrate = (path: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const fs = yield* FileSystem.FileSystem
    yield* refuseNewer(path, yield* classify(path))
    yield* fs.chmod(path, 0o600).pipe(
      Effect.mapError((cause) => failure(`cannot open the state database ${path}: ${cause.message}`, cause))
    )
    yield* sql`PRAGMA journal_mode = WAL`.pipe(
      Effect.mapError((cause) => failure(`cannot open the state database ${path}: ${sqliteReason(cause)}`, cause))
    )
    // A migration that fails is a defect of the migrator's: told as the upgrade's failure all the same.
    yield* Migrator.make({})({ loader: Migrations.migrations }).pipe(
      Effect.mapError((cause) => failure(`cannot upgrade the state database ${path}: ${cause.message}`, cause)),
      Effect.catchAllDefect((cause) =>
        failure(`cannot upgrade the state database ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, cause)
      )
    )
  })

/** The id of the last migration the database records, 0 for none. */
const schemaOf = (path: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ version: number | null }>`SELECT max(migration_id) AS version FROM effect_sql_migrations`.pipe(
      Effect.map((rows) => rows[0]?.version ?? 0),
      Effect.mapError((cause) => failure(`cannot read the state database ${path}: ${sqliteReason(cause)}`, cause))
    ))

/** A database migrated past the last migration this orgsync knows is neither read nor written by it. */
const refuseNewer = (path: string, version: number) =>
  version > Migrations.version
    ? failure(
      `the state database ${path} was written by a newer orgsync (schema ${version}, this one knows up to ` +
        `${Migrations.version}): upgrade orgsync`
    )
    : Effect.void

/**
 * For a reader, which never migrates: the database must be orgsync's and of this version's schema. An older
 * one is upgraded by the next command that writes (`orgsync apply` or `orgsync run`); a newer one is refused.
 */
export const checkSchema = (path: string) =>
  Effect.gen(function*() {
    const version = yield* classify(path)
    yield* refuseNewer(path, version)
    if (version === 0) {
      return yield* failure(
        `the state database ${path} holds nothing yet (an apply or run stopped as it created it): run orgsync ` +
          "apply or orgsync run once, then try again"
      )
    }
    if (version < Migrations.version) {
      return yield* failure(
        `the state database ${path} was written by an older orgsync: run orgsync apply or orgsync run once to ` +
          "upgrade it, then try again"
      )
    }
  })
