/**
 * The folder of the state database and its lock: created when missing (mode 0700), one level at a time from
 * the nearest folder that exists. Node's recursive `mkdir` retries for ever where a level can never be made
 * (`/proc/x`); one level at a time, such a path fails at once with the level that could not be made.
 */
import { FileSystem, Path } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Data, Effect } from "effect"

export class FolderError extends Data.TaggedError("FolderError")<{
  readonly message: string
  readonly cause?: PlatformError
}> {}

const notFound = (error: PlatformError) => error._tag === "SystemError" && error.reason === "NotFound"

/** Makes the folder `dir` and any missing folder above it; a path through something else than a folder fails. */
export const ensure = (dir: string): Effect.Effect<void, FolderError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const missing: Array<string> = []
    for (let current = path.resolve(dir);; current = path.dirname(current)) {
      const info = yield* fs.stat(current).pipe(
        Effect.map((info) => info.type),
        Effect.catchIf(notFound, () => Effect.succeed(undefined)),
        Effect.mapError((cause) => new FolderError({ message: `cannot look at ${current}: ${cause.message}`, cause }))
      )
      if (info === "Directory") break
      if (info !== undefined) return yield* new FolderError({ message: `${current} is not a folder` })
      if (path.dirname(current) === current) break
      missing.unshift(current)
    }
    for (const folder of missing) {
      yield* fs.makeDirectory(folder, { mode: 0o700 }).pipe(
        Effect.catchIf((error) => error._tag === "SystemError" && error.reason === "AlreadyExists", () => Effect.void),
        Effect.mapError((cause) =>
          new FolderError({ message: `cannot create the folder ${folder}: ${cause.message}`, cause })
        )
      )
    }
  })
