import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Chunk, Effect, Layer, Option, Stream } from "effect"
import * as DesiredWatcher from "../../src/DesiredWatcher.js"

// Real files and the real chokidar: time is real here, waits are bounded.
const environment = DesiredWatcher.layer.pipe(Layer.provideMerge(NodeContext.layer))

type Changes = Stream.Stream<DesiredWatcher.DesiredChange, DesiredWatcher.WatchError>

/** The next change, failing the test when none comes within 5 s. */
const next = (changes: Changes) =>
  Stream.runHead(changes).pipe(
    Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => new Error("no change reported") }),
    Effect.map(Option.getOrThrow)
  )

/** Everything reported during a quiet spell (the tail of one edit, or what must not be reported at all). */
const during = (changes: Changes, millis: number) =>
  changes.pipe(Stream.interruptAfter(`${millis} millis`), Stream.runCollect, Effect.map(Chunk.toReadonlyArray))

const tempFolder = Effect.flatMap(
  FileSystem.FileSystem,
  (fs) => fs.makeTempDirectoryScoped({ prefix: "orgsync-watch-" })
)

layer(environment, { excludeTestServices: true })("DesiredWatcher", (it) => {
  it.scoped("reports edits and atomic saves of a single file, and nothing about its neighbours", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempFolder
      const file = `${dir}/orgs.yaml`
      yield* fs.writeFileString(file, "orgs: []\n")
      const watcher = yield* DesiredWatcher.DesiredWatcher
      const changes = yield* watcher.watch(file)

      yield* fs.writeFileString(`${dir}/other.yaml`, "orgs: []\n")
      yield* fs.writeFileString(`${dir}/notes.txt`, "hello\n")
      expect(yield* during(changes, 800)).toEqual([])

      yield* fs.writeFileString(file, "orgs:\n  - name: Engineering\n")
      expect(yield* next(changes)).toMatchObject({ path: file })
      yield* during(changes, 500)

      // An editor's atomic save: write a temporary file beside it, then rename it over the original.
      yield* fs.writeFileString(`${dir}/.orgs.yaml.swp`, "orgs:\n  - name: Platform\n")
      yield* fs.rename(`${dir}/.orgs.yaml.swp`, file)
      expect(yield* next(changes)).toMatchObject({ path: file })
      yield* during(changes, 500)

      // The same save, once more: the watcher follows the new inode.
      yield* fs.writeFileString(`${dir}/orgs.yaml.tmp`, "orgs:\n  - name: Mobile\n")
      yield* fs.rename(`${dir}/orgs.yaml.tmp`, file)
      expect(yield* next(changes)).toMatchObject({ path: file })
    }))

  it.scoped("reports new, edited and removed YAML files in a folder and its subfolders, and ignores the rest", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempFolder
      yield* fs.writeFileString(`${dir}/engineering.yaml`, "orgs: []\n")
      yield* fs.makeDirectory(`${dir}/.git`)
      const watcher = yield* DesiredWatcher.DesiredWatcher
      const changes = yield* watcher.watch(dir)

      // What the loader does not read: other files, dot-files, dot-folders.
      yield* fs.writeFileString(`${dir}/README.md`, "# teams\n")
      yield* fs.writeFileString(`${dir}/.draft.yaml`, "orgs: []\n")
      yield* fs.writeFileString(`${dir}/.git/old.yaml`, "orgs: []\n")
      expect(yield* during(changes, 800)).toEqual([])

      yield* fs.writeFileString(`${dir}/sales.yml`, "orgs: []\n")
      expect(yield* next(changes)).toEqual({ event: "add", path: `${dir}/sales.yml` })
      yield* during(changes, 500)

      yield* fs.makeDirectory(`${dir}/teams`)
      yield* fs.writeFileString(`${dir}/teams/mobile.yaml`, "orgs: []\n")
      expect(yield* next(changes)).toEqual({ event: "add", path: `${dir}/teams/mobile.yaml` })
      yield* during(changes, 500)

      yield* fs.writeFileString(`${dir}/engineering.yaml`, "orgs:\n  - name: Platform\n")
      expect(yield* next(changes)).toMatchObject({ path: `${dir}/engineering.yaml` })
      yield* during(changes, 500)

      yield* fs.remove(`${dir}/sales.yml`)
      expect(yield* next(changes)).toEqual({ event: "unlink", path: `${dir}/sales.yml` })
    }))

  it.scoped("sees a desired file that does not exist yet appear", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempFolder
      const watcher = yield* DesiredWatcher.DesiredWatcher
      const changes = yield* watcher.watch(`${dir}/orgs.yaml`)
      yield* fs.writeFileString(`${dir}/orgs.yaml`, "orgs: []\n")
      expect(yield* next(changes)).toEqual({ event: "add", path: `${dir}/orgs.yaml` })
    }))
})
