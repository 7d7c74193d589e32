/**
 * Tells the daemon that the desired files may have changed. It watches a folder: the desired folder (with its
 * subfolders, as the loader reads them), or the folder holding a single desired file, since editors' atomic
 * saves (write a temporary file, rename it over the original) replace the file's inode. It reports every event
 * that concerns a desired file, raw: the daemon debounces them and re-reads the files, so an extra event costs
 * at most one level-based pass. In a folder, symbolic links are not followed (a link loop would make the
 * watcher walk for ever): a change behind a link is seen by the next interval's pass.
 */
import { FileSystem, Path } from "@effect/platform"
import { watch as chokidar } from "chokidar"
import { Context, Data, Deferred, Effect, Exit, Layer, Queue, type Scope, Stream } from "effect"

/** One file-system event about a desired file. */
export interface DesiredChange {
  /** chokidar's event name: `add`, `change`, `unlink`, ... */
  readonly event: string
  readonly path: string
}

export class WatchError extends Data.TaggedError("WatchError")<{
  readonly path: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `cannot watch ${this.path}: ${this.cause instanceof Error ? this.cause.message : String(this.cause)}`
  }
}

export class DesiredWatcher extends Context.Tag("@c42/daemon/DesiredWatcher")<DesiredWatcher, {
  /**
   * Starts watching the desired file or folder at `path` and succeeds once the watcher is ready, with the
   * stream of its changes; watching stops when the scope closes.
   */
  readonly watch: (path: string) => Effect.Effect<Stream.Stream<DesiredChange, WatchError>, WatchError, Scope.Scope>
}>() {}

const isYaml = (file: string): boolean => /\.ya?ml$/.test(file)

export const make = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const paths = yield* Path.Path

  const watch = (desiredPath: string) =>
    Effect.gen(function*() {
      const target = paths.resolve(desiredPath)
      // A path that does not exist yet is taken for a file: the watcher sees it appear.
      const isFolder = yield* fs.stat(target).pipe(
        Effect.map((info) => info.type === "Directory"),
        Effect.orElseSucceed(() => false)
      )
      const folder = isFolder ? target : paths.dirname(target)
      // The loader skips dot-files and dot-folders (`.git`, editors' swap files): so does the watcher.
      const hidden = (file: string) =>
        paths.relative(folder, file).split(paths.sep).some((part) => part.startsWith("."))
      const concerns = isFolder ? (file: string) => isYaml(file) && !hidden(file) : (file: string) => file === target

      const changes = yield* Effect.acquireRelease(Queue.unbounded<DesiredChange>(), Queue.shutdown)
      const failed = yield* Deferred.make<never, WatchError>()
      const ready = yield* Deferred.make<void, WatchError>()
      const fail = (cause: unknown) => {
        const exit = Exit.fail(new WatchError({ path: desiredPath, cause }))
        Deferred.unsafeDone(ready, exit)
        Deferred.unsafeDone(failed, exit)
      }

      // Listeners are attached in the same tick as the watcher is made, so that no event is missed.
      yield* Effect.acquireRelease(
        Effect.sync(() =>
          chokidar(folder, isFolder
            ? { ignoreInitial: true, followSymlinks: false, ignored: (file) => hidden(paths.resolve(file)) }
            : { ignoreInitial: true, depth: 0 })
            .on("all", (event, file) => {
              const resolved = paths.resolve(file)
              if (concerns(resolved)) Queue.unsafeOffer(changes, { event, path: resolved })
            })
            .on("error", fail)
            .on("ready", () => Deferred.unsafeDone(ready, Exit.void))
        ),
        (watcher) => Effect.promise(() => watcher.close())
      )
      yield* Deferred.await(ready)
      return Stream.fromQueue(changes).pipe(Stream.interruptWhen(Deferred.await(failed)))
    })

  return DesiredWatcher.of({ watch })
})

/** The watcher over the real file system (chokidar). */
export const layer: Layer.Layer<DesiredWatcher, never, FileSystem.FileSystem | Path.Path> = Layer.effect(
  DesiredWatcher,
  make
)
