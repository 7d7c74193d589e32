/**
 * Files orgsync writes on request (`plan --out`, `import --out`): written whole or not at all, through a
 * temporary file in the same folder renamed over the target, so that a reader never sees half a plan and a
 * symbolic link at the target is replaced, not followed. Nothing is ever written over a desired file, the state
 * database or the settings file, nor in place of a folder.
 */
import { FileSystem, Path } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Console, Data, Effect, Option } from "effect"
import type * as Settings from "./Settings.js"

export class OutputError extends Data.TaggedError("OutputError")<{
  readonly message: string
  readonly cause?: PlatformError
}> {}

const yamlFile = /\.(yaml|yml)$/

const statOption = (fs: FileSystem.FileSystem, path: string) =>
  fs.stat(path).pipe(Effect.option)

/** What went wrong, in the system's words (`no space left on device`), without the call that failed. */
const reason = (error: PlatformError) => /\bE[A-Z]+: ([^,]+)/.exec(error.message)?.[1] ?? error.message

/**
 * Refuses an `out` that cannot take a file: a folder (also through a symbolic link), or a path whose folder
 * does not exist or is not a folder. Checked before anything is asked of Code42.
 */
export const checkTarget = (out: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const target = yield* statOption(fs, out)
    if (Option.isSome(target) && target.value.type === "Directory") {
      return yield* new OutputError({ message: `--out ${out} is a folder: name a file to write` })
    }
    const folder = path.dirname(out)
    const parent = yield* statOption(fs, folder)
    if (Option.isNone(parent)) {
      return yield* new OutputError({ message: `--out ${out}: the folder ${folder} does not exist` })
    }
    if (parent.value.type !== "Directory") {
      return yield* new OutputError({ message: `--out ${out}: ${folder} is not a folder` })
    }
  })

/** Whether `out` is a device, a pipe or a socket (`/dev/null`, `/dev/stdout`), which is written to directly. */
export const isSpecial = (out: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    Effect.map(
      statOption(fs, out),
      Option.match({ onNone: () => false, onSome: (info) => info.type !== "File" && info.type !== "Directory" })
    ))

/** The files orgsync keeps beside the state database: `--out` naming any of them would break the database. */
const stateFiles = (state: string) => [
  [state, "the state database"],
  [`${state}-wal`, "the state database's journal"],
  [`${state}-shm`, "the state database's journal"],
  [`${state}.lock`, "the state database's lock"]
] as const

/**
 * Refuses `out` when it is one of the desired `files`, the state database (or a file kept beside it) or the
 * settings file, also through a symbolic or a hard link (the same file on the same device); or, when the
 * desired files are given, when their folder would read it as a desired file the next time.
 */
export const refuseOwn = (
  out: string,
  settings: Settings.Settings,
  desired?: { readonly path: string; readonly files: ReadonlyArray<string> }
) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const named: ReadonlyArray<readonly [string, string]> = [
      ...(desired?.files ?? []).map((file) => [file, `the desired file ${file}`] as const),
      ...stateFiles(settings.state).map(([file, what]) => [file, `${what} ${file}`] as const),
      ...(settings.file === undefined ? [] : [[settings.file, `the settings file ${settings.file}`] as const])
    ]
    // By name, for the files beside the state database that exist only while orgsync holds it...
    const located = (p: string) =>
      fs.realPath(path.dirname(p)).pipe(
        Effect.map((folder) => path.join(folder, path.basename(p))),
        Effect.orElseSucceed(() => path.resolve(p))
      )
    const outPath = yield* located(out)
    for (const [file, what] of named) {
      if ((yield* located(file)) === outPath) {
        return yield* new OutputError({ message: `--out ${out} is ${what}: refusing to write over it` })
      }
    }
    // ...and by device and inode, for another name of an existing file (a symbolic or a hard link).
    const target = yield* statOption(fs, out)
    if (Option.isSome(target) && Option.isSome(target.value.ino)) {
      const { dev, ino } = target.value
      for (const [file, what] of named) {
        const info = yield* statOption(fs, file)
        if (Option.isSome(info) && info.value.dev === dev && Option.contains(info.value.ino, ino.value)) {
          return yield* new OutputError({ message: `--out ${out} is ${what}: refusing to write over it` })
        }
      }
    }
    if (desired === undefined) return
    const folder = yield* statOption(fs, desired.path)
    if (Option.isSome(folder) && folder.value.type === "Directory" && yamlFile.test(out)) {
      const real = (p: string) => fs.realPath(p).pipe(Effect.orElseSucceed(() => path.resolve(p)))
      const inside = path.relative(yield* real(desired.path), path.join(yield* real(path.dirname(out)), path.basename(out)))
      if (!inside.startsWith("..") && !path.isAbsolute(inside) && !inside.split(path.sep).some((part) => part.startsWith("."))) {
        return yield* new OutputError({
          message: `--out ${out} is in the desired folder ${desired.path}, which would read it as a desired file`
        })
      }
    }
  })

/**
 * Writes `text` to `out` whole: a temporary file beside it, then a rename over it (keeping an existing file's
 * mode). A device or a pipe (`/dev/stdout`) cannot be replaced and is written to directly.
 */
export const write = (out: string, text: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    yield* checkTarget(out)
    if (yield* isSpecial(out)) return yield* fs.writeFileString(out, text)
    const existing = yield* statOption(fs, out)
    const mode = Option.match(existing, { onNone: () => 0o644, onSome: (info) => info.mode & 0o777 })
    const temporary = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.${Date.now()}.tmp`)
    yield* Effect.gen(function*() {
      yield* fs.writeFileString(temporary, text, { flag: "wx", mode })
      yield* fs.chmod(temporary, mode)
      yield* fs.rename(temporary, out)
    }).pipe(Effect.tapError(() => fs.remove(temporary).pipe(Effect.ignore)))
  }).pipe(
    Effect.catchTag("SystemError", "BadArgument", (cause) =>
      new OutputError({ message: `cannot write ${out}: ${reason(cause)}`, cause }))
  )

/** Prints `text` to stdout, or writes it to the file `out` names. */
export const print = (out: Option.Option<string>, text: string) =>
  Option.match(out, {
    onNone: () => Console.log(text),
    onSome: (file) => write(file, `${text}\n`)
  })
