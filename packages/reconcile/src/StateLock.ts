/**
 * One writer per state database: an exclusive lock file beside it (`<state>.lock`), created with O_EXCL and
 * holding who took it (pid, host, start time). A lock left by a process of this host that is gone is stale and
 * taken over; any other holder makes the second writer fail with a message naming it.
 */
import { FileSystem, Path } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Clock, Data, Effect, Schema, type Scope } from "effect"
import { randomBytes } from "node:crypto"
import * as os from "node:os"
import * as StateFolder from "./internal/stateFolder.js"

const HolderSchema = Schema.Struct({
  pid: Schema.Int,
  hostname: Schema.String,
  since: Schema.Date
})

/** Who holds a lock. */
export type Holder = typeof HolderSchema.Type

const HolderJson = Schema.parseJson(HolderSchema)

/** The lock of the state database at `statePath`. */
export const lockPath = (statePath: string): string => `${statePath}.lock`

/** Another live process holds the lock. */
export class StateLocked extends Data.TaggedError("StateLocked")<{
  readonly statePath: string
  readonly holder: Holder
}> {
  override get message(): string {
    const { hostname, pid, since } = this.holder
    return `the state database ${this.statePath} is in use by another orgsync (pid ${pid} on ${hostname}, ` +
      `since ${since.toISOString()}); stop it first, or remove ${lockPath(this.statePath)} if it is gone`
  }
}

/** The lock file could not be written, read or removed. */
export class StateLockError extends Data.TaggedError("StateLockError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Only a process of this host can be known to be gone; one on another host (a shared disk) is respected. */
export const processGone = (pid: number, hostname: string): boolean => hostname === os.hostname() && !isAlive(pid)

const isStale = (holder: Holder): boolean => processGone(holder.pid, holder.hostname)

const isReason = (reason: string) => (error: PlatformError): boolean =>
  error._tag === "SystemError" && error.reason === reason

/** Tries this many times when the lock changes hands while it is examined. */
const attempts = 3

/**
 * Takes the lock of the state database at `statePath` for the life of the scope, creating its folder when
 * needed. Fails with `StateLocked` naming the holder when another live process has it.
 */
export const acquire = (
  statePath: string
): Effect.Effect<Holder, StateLocked | StateLockError, FileSystem.FileSystem | Path.Path | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const lock = lockPath(statePath)
    const failure = (what: string) => (cause: PlatformError) =>
      new StateLockError({ message: `cannot ${what} the lock ${lock}: ${cause.message}`, cause })

    const holder: Holder = {
      pid: process.pid,
      hostname: os.hostname(),
      since: new Date(yield* Clock.currentTimeMillis)
    }
    const content = yield* Schema.encode(HolderJson)(holder).pipe(Effect.orDie)

    // `undefined`: the lock vanished between two steps, look again.
    const read = fs.readFileString(lock).pipe(
      Effect.map((text): string | undefined => text),
      Effect.catchIf(isReason("NotFound"), () => Effect.succeed(undefined)),
      Effect.mapError(failure("read"))
    )

    // Written beside it and linked into place, so that the lock appears whole: a process stopped while writing
    // it never leaves an empty lock that no one could read, nor take over.
    const create = Effect.acquireUseRelease(
      Effect.sync(() => `${lock}.${process.pid}-${randomBytes(4).toString("hex")}.new`).pipe(
        Effect.tap((made) => fs.writeFileString(made, content, { flag: "wx", mode: 0o600 }))
      ),
      (made) =>
        fs.link(made, lock).pipe(
          Effect.as(true),
          Effect.catchIf(isReason("AlreadyExists"), () => Effect.succeed(false))
        ),
      (made) => Effect.ignore(fs.remove(made))
    ).pipe(Effect.mapError(failure("create")))

    // Moved aside first, so that of two processes taking over the same stale lock only one removes it; a
    // process that moved a fresh lock (taken over a moment before by the other) puts it back.
    const takeOver = (stale: string, staleHolder: Holder) =>
      Effect.gen(function*() {
        const aside = `${lock}.stale-${process.pid}`
        const moved = yield* fs.rename(lock, aside).pipe(
          Effect.as(true),
          Effect.catchIf(isReason("NotFound"), () => Effect.succeed(false)),
          Effect.mapError(failure("take over"))
        )
        if (!moved) return
        if ((yield* fs.readFileString(aside).pipe(Effect.mapError(failure("read")))) !== stale) {
          yield* fs.link(aside, lock).pipe(Effect.ignore)
        } else {
          yield* Effect.logWarning("took over a stale lock").pipe(
            Effect.annotateLogs({ lock, pid: staleHolder.pid, since: staleHolder.since.toISOString() })
          )
        }
        yield* fs.remove(aside).pipe(Effect.mapError(failure("remove")))
      })

    const attempt = Effect.gen(function*() {
      if (yield* create) return true
      const text = yield* read
      if (text === undefined) return false
      const current = yield* Schema.decode(HolderJson)(text).pipe(
        Effect.mapError((cause) =>
          new StateLockError({
            message: `${lock} is not a lock orgsync can read; remove it if no orgsync process is running`,
            cause
          })
        )
      )
      if (!isStale(current)) return yield* new StateLocked({ statePath, holder: current })
      yield* takeOver(text, current)
      return false
    })

    const acquireLoop = (left: number): Effect.Effect<void, StateLocked | StateLockError> =>
      Effect.flatMap(attempt, (taken) =>
        taken ? Effect.void : left > 1 ? acquireLoop(left - 1) : Effect.fail(
          new StateLockError({ message: `cannot take the lock ${lock}: it keeps changing hands` })
        ))

    // Removed on release only while it is still ours.
    const release = Effect.flatMap(read, (text) => text === content ? fs.remove(lock) : Effect.void).pipe(
      Effect.catchAll((error) => Effect.logWarning("cannot release the lock", error))
    )

    yield* StateFolder.ensure(path.dirname(lock)).pipe(
      Effect.mapError((cause) => new StateLockError({ message: cause.message, cause }))
    )
    yield* Effect.acquireRelease(acquireLoop(attempts), () => release)
    return holder
  })
