import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { spawnSync } from "node:child_process"
import * as os from "node:os"
import * as path from "node:path"
import * as StateLock from "../src/StateLock.js"

const tempState = Effect.map(
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "orgsync-lock-" })),
  (dir) => `${dir}/nested/state.db`
)

/** The pid of a process that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ["-e", ""]).pid!

const writeLock = (statePath: string, holder: { pid: number; hostname: string; since: string }) =>
  Effect.flatMap(
    FileSystem.FileSystem,
    (fs) => fs.writeFileString(StateLock.lockPath(statePath), JSON.stringify(holder))
  )

layer(NodeContext.layer)("StateLock", (it) => {
  it.scoped("holds the lock for the life of the scope and names the holder to a second taker", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const statePath = yield* tempState
      const scope = yield* Scope.make()
      const holder = yield* StateLock.acquire(statePath).pipe(Scope.extend(scope))
      expect(holder.pid).toBe(process.pid)
      expect(holder.hostname).toBe(os.hostname())
      expect(JSON.parse(yield* fs.readFileString(StateLock.lockPath(statePath)))).toEqual({
        pid: process.pid,
        hostname: os.hostname(),
        since: holder.since.toISOString()
      })
      expect(((yield* fs.stat(StateLock.lockPath(statePath))).mode & 0o777)).toBe(0o600)

      const second = yield* Effect.flip(Effect.scoped(StateLock.acquire(statePath)))
      expect(second._tag).toBe("StateLocked")
      expect(second.message).toContain(`pid ${process.pid}`)
      expect(second.message).toContain(os.hostname())
      expect(second.message).toContain(holder.since.toISOString())
      expect(second.message).toContain(statePath)

      yield* Scope.close(scope, Exit.void)
      expect(yield* fs.exists(StateLock.lockPath(statePath))).toBe(false)
      const again = yield* Effect.scoped(StateLock.acquire(statePath))
      expect(again.pid).toBe(process.pid)
    }))

  it.scoped("takes over a stale lock left by a process of this host that is gone", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const statePath = yield* tempState
      yield* fs.makeDirectory(path.dirname(statePath), { recursive: true })
      const dead = deadPid()
      yield* writeLock(statePath, { pid: dead, hostname: os.hostname(), since: "2024-01-01T00:00:00.000Z" })
      const holder = yield* StateLock.acquire(statePath)
      expect(holder.pid).toBe(process.pid)
      const content = JSON.parse(yield* fs.readFileString(StateLock.lockPath(statePath)))
      expect(content.pid).toBe(process.pid)
      expect(yield* fs.readDirectory(path.dirname(statePath))).toEqual(["state.db.lock"])
    }))

  it.scoped("respects a lock held on another host, whose process it cannot see", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const statePath = yield* tempState
      yield* fs.makeDirectory(path.dirname(statePath), { recursive: true })
      yield* writeLock(statePath, { pid: deadPid(), hostname: "elsewhere.example", since: "2024-01-01T00:00:00.000Z" })
      const error = yield* Effect.flip(StateLock.acquire(statePath))
      expect(error._tag).toBe("StateLocked")
      expect(error.message).toContain("elsewhere.example")
      expect(error.message).toContain("2024-01-01T00:00:00.000Z")
    }))

  it.scoped("refuses a lock file it cannot read rather than guess", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const statePath = yield* tempState
      yield* fs.makeDirectory(path.dirname(statePath), { recursive: true })
      yield* fs.writeFileString(StateLock.lockPath(statePath), "not json")
      const error = yield* Effect.flip(StateLock.acquire(statePath))
      expect(error._tag).toBe("StateLockError")
      expect(error.message).toContain(StateLock.lockPath(statePath))
    }))

  it.scoped("leaves a lock that is no longer its own in place on release", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const statePath = yield* tempState
      const scope = yield* Scope.make()
      yield* StateLock.acquire(statePath).pipe(Scope.extend(scope))
      const other = { pid: 1, hostname: "elsewhere.example", since: "2024-01-01T00:00:00.000Z" }
      yield* writeLock(statePath, other)
      yield* Scope.close(scope, Exit.void)
      expect(JSON.parse(yield* fs.readFileString(StateLock.lockPath(statePath)))).toEqual(other)
    }))
})

describe("StateLock.lockPath", () => {
  it("sits beside the database", () => {
    expect(StateLock.lockPath("/var/lib/orgsync/state.db")).toBe("/var/lib/orgsync/state.db.lock")
  })
})

/** A file system whose writes of whole files make the file empty and then die, as a process killed mid-write. */
const killedWhileWriting = Effect.map(FileSystem.FileSystem, (fs): FileSystem.FileSystem => ({
  ...fs,
  writeFile: (target, _data, options) => Effect.zipRight(fs.writeFile(target, new Uint8Array(), options), Effect.die("killed")),
  writeFileString: (target, _data, options) =>
    Effect.zipRight(fs.writeFile(target, new Uint8Array(), options), Effect.die("killed"))
}))

layer(NodeContext.layer)("StateLock, cut off", (it) => {
  it.scoped("a taker stopped while it writes the lock leaves no lock file: the next one takes the lock", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const statePath = yield* tempState
      const killed = yield* Effect.exit(
        Effect.scoped(StateLock.acquire(statePath)).pipe(
          Effect.provideServiceEffect(FileSystem.FileSystem, killedWhileWriting)
        )
      )
      expect(Exit.isFailure(killed)).toBe(true)
      expect(yield* fs.exists(StateLock.lockPath(statePath))).toBe(false)
      const holder = yield* StateLock.acquire(statePath)
      expect(holder.pid).toBe(process.pid)
    }))
})
