/**
 * The state database's file: what `--state` names (nothing yet, an SQLite file, or something to refuse), its
 * creation (0600, before SQLite opens it), and the checks each kind of open makes before reading or writing
 * anything: the writer refuses another application's database, and one of a newer orgsync, and migrates; a reader
 * never changes anything.
 */
import { FileSystem, Path } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { SqlClient } from "@effect/sql"
import * as Migrator from "@effect/sql/Migrator"
import { Effect, Option } from "effect"
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

/** For the writer: the folder made (0700) where missing, and a new database file created 0600 before SQLite opens it. */
export const prepare = (path: string, found: Found) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const paths = yield* Path.Path
    yield* StateFolder.ensure(paths.dirname(path)).pipe(Effect.mapError((e) => failure(e.message, e)))
    yield* (found === "absent"
      ? fs.writeFile(path, new Uint8Array(), { flag: "wx", mode: 0o600 })
      : fs.chmod(path, 0o600)).pipe(
        Effect.mapError((cause) => failure(`cannot create the state database ${path}: ${cause.message}`, cause))
      )
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

/** The tables of the open database; a file SQLite cannot read fails here, with SQLite's reason. */
const tables = (path: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.pipe(
      Effect.map((rows) => new Set(rows.map((row) => row.name))),
      Effect.mapError((cause) => failure(`cannot open the state database ${path}: ${sqliteReason(cause)}`, cause))
    ))

const foreign = (path: string) =>
  failure(`${path} is an SQLite database of another application, not an orgsync state database; it is left as it is`)

const isOrgsync = (names: ReadonlySet<string>) => names.has("effect_sql_migrations") && names.has("run")

/**
 * Whether the database holds nothing of anyone's yet: no table, or only the migrator's own, empty. The migrator
 * makes its table before it runs the first migration, so a writer stopped between the two (a SIGKILL as the
 * first apply starts) leaves the latter, which is a new state database, not another application's.
 */
const isEmpty = (path: string, names: ReadonlySet<string>) =>
  names.size === 0
    ? Effect.succeed(true)
    : names.size === 1 && names.has("effect_sql_migrations")
    ? Effect.map(schemaOf(path, names), (version) => version === 0)
    : Effect.succeed(false)

/** Another application's database, or orgsync's: new, or with the schema it was last migrated to. */
const classify = (path: string) =>
  Effect.gen(function*() {
    const names = yield* tables(path)
    if (yield* isEmpty(path, names)) return 0
    if (!isOrgsync(names)) return yield* foreign(path)
    return yield* schemaOf(path, names)
  })

/**
 * For the writer: an SQLite database of another application is refused before anything is written to it (not
 * even the WAL journal mode); one that holds nothing yet is a new state database. Then migrated to this version.
 */
export const migrate = (path: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* refuseNewer(path, yield* classify(path))
    yield* sql`PRAGMA journal_mode = WAL`.pipe(
      Effect.mapError((cause) => failure(`cannot open the state database ${path}: ${sqliteReason(cause)}`, cause))
    )
    yield* Migrator.make({})({ loader: Migrations.migrations }).pipe(
      Effect.mapError((cause) => failure(`cannot upgrade the state database ${path}: ${cause.message}`, cause))
    )
  })

/**
 * The schema a database was last migrated to: the id of its last migration, 0 for a file a writer made and left
 * before its first migration (no table yet).
 */
const schemaOf = (path: string, names: ReadonlySet<string>) =>
  names.size === 0 ? Effect.succeed(0) : Effect.flatMap(SqlClient.SqlClient, (sql) =>
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
    if (version < Migrations.version) {
      return yield* failure(
        `the state database ${path} was written by an older orgsync: run orgsync apply or orgsync run once to ` +
          "upgrade it, then try again"
      )
    }
  })
