/**
 * Files orgsync writes on request (`plan --out`, `import --out`): written whole or not at all, through a
 * temporary file in the same folder renamed over the target, so that a reader never sees half a plan and a
 * symbolic link at the target is replaced, not followed. A plan is never written over a desired file.
 */
import { FileSystem, Path } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Console, Data, Effect, Option } from "effect"

export class OutputError extends Data.TaggedError("OutputError")<{
  readonly message: string
  readonly cause?: PlatformError
}> {}

const yamlFile = /\.(yaml|yml)$/

const statOption = (fs: FileSystem.FileSystem, path: string) =>
  fs.stat(path).pipe(Effect.option)

/**
 * Refuses `out` when it is one of the desired `files` (also through a symbolic or a hard link: the same file on
 * the same device), or when the desired folder `desired` would read it as a desired file the next time.
 */
export const refuseDesired = (out: string, desired: string, files: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const target = yield* statOption(fs, out)
    if (Option.isSome(target) && Option.isSome(target.value.ino)) {
      const { dev, ino } = target.value
      for (const file of files) {
        const info = yield* statOption(fs, file)
        if (Option.isSome(info) && info.value.dev === dev && Option.contains(info.value.ino, ino.value)) {
          return yield* new OutputError({ message: `--out ${out} is the desired file ${file}: refusing to write over it` })
        }
      }
    }
    const folder = yield* statOption(fs, desired)
    if (Option.isSome(folder) && folder.value.type === "Directory" && yamlFile.test(out)) {
      const real = (p: string) => fs.realPath(p).pipe(Effect.orElseSucceed(() => path.resolve(p)))
      const inside = path.relative(yield* real(desired), path.join(yield* real(path.dirname(out)), path.basename(out)))
      if (!inside.startsWith("..") && !path.isAbsolute(inside) && !inside.split(path.sep).some((part) => part.startsWith("."))) {
        return yield* new OutputError({
          message: `--out ${out} is in the desired folder ${desired}, which would read it as a desired file`
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
    const existing = yield* statOption(fs, out)
    if (Option.isSome(existing) && existing.value.type !== "File" && existing.value.type !== "Directory") {
      return yield* fs.writeFileString(out, text)
    }
    const mode = Option.match(existing, { onNone: () => 0o644, onSome: (info) => info.mode & 0o777 })
    const temporary = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.${Date.now()}.tmp`)
    yield* Effect.gen(function*() {
      yield* fs.writeFileString(temporary, text, { flag: "wx", mode })
      yield* fs.chmod(temporary, mode)
      yield* fs.rename(temporary, out)
    }).pipe(Effect.tapError(() => fs.remove(temporary).pipe(Effect.ignore)))
  }).pipe(
    Effect.mapError((cause) => new OutputError({ message: `cannot write ${out}: ${cause.message}`, cause }))
  )

/** Prints `text` to stdout, or writes it to the file `out` names. */
export const print = (out: Option.Option<string>, text: string) =>
  Option.match(out, {
    onNone: () => Console.log(text),
    onSome: (file) => write(file, `${text}\n`)
  })
