/**
 * Files read on request besides the desired ones (`apply --plan`, `--config`): regular files only, as the
 * desired ones, so that a pipe with no writer never keeps orgsync waiting, and read up to a bound, so that a
 * file that keeps growing is refused in a moment instead of filling memory.
 */
import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Chunk, Data, Effect, Stream } from "effect"

export class InputError extends Data.TaggedError("InputError")<{
  /** Why the file cannot be read, for a sentence that names it: "it holds more than 1 MiB". */
  readonly reason: string
  readonly cause?: PlatformError
}> {}

const size = (bytes: number) =>
  bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${Math.round(bytes / 1024)} KiB`

/** The UTF-8 text of the file at `path`, refused when it holds more than `maxBytes`. */
export const readText = (path: string, maxBytes: number) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs.stat(path).pipe(Effect.mapError((cause) => new InputError({ reason: cause.message, cause })))
    if (info.type !== "File") return yield* new InputError({ reason: "not a regular file" })
    const chunks = yield* fs.stream(path, { bytesToRead: maxBytes + 1 }).pipe(
      Stream.runCollect,
      Effect.mapError((cause) => new InputError({ reason: cause.message, cause }))
    )
    const bytes = Buffer.concat(Chunk.toReadonlyArray(chunks))
    if (bytes.length > maxBytes) return yield* new InputError({ reason: `it holds more than ${size(maxBytes)}` })
    return bytes.toString("utf8")
  })
