/**
 * The whole daemon as the CLI runs it: the lock, the endpoints on a loopback port, the real watcher and loader
 * over real files, a real state database, and a reconciler double.
 */
import { FetchHttpClient, FileSystem, HttpClient } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Logger, LogLevel, Ref, Schedule, type Scope } from "effect"
import * as net from "node:net"
import * as Daemon from "../../src/Daemon.js"
import * as DesiredWatcher from "../../src/DesiredWatcher.js"
import { Reconciler, StateDb, StateLock } from "@c42/reconcile"
import { passResult } from "../support/daemon-fixtures.js"

/** A port free on loopback a moment ago. */
const freePort = Effect.async<number>((resume) => {
  const probe = net.createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address() as net.AddressInfo
    probe.close(() => resume(Effect.succeed(port)))
  })
})

const setup = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-run-" })
  yield* fs.writeFileString(`${dir}/orgs.yaml`, "orgs:\n  - name: Engineering\n")
  const port = yield* freePort
  const options: Daemon.DaemonOptions = {
    desiredPath: `${dir}/orgs.yaml`,
    dryRun: false,
    force: false,
    interval: "5 minutes",
    listen: { host: "127.0.0.1", port },
    statePath: `${dir}/state.db`
  }
  const client = yield* HttpClient.HttpClient
  const get = (path: string) =>
    client.get(`http://127.0.0.1:${port}${path}`).pipe(
      Effect.flatMap((response) => Effect.map(response.text, (text) => ({ status: response.status, text })))
    )
  return { dir, options, get, fs }
})

/** The services the CLI provides, with `pass` as the reconciler. */
const services = (statePath: string, pass: Reconciler.Reconciler["Type"]["pass"]) =>
  Layer.mergeAll(
    Layer.succeed(Reconciler.Reconciler, Reconciler.Reconciler.of({ pass })),
    DesiredWatcher.layer,
    StateDb.layer(statePath)
  ).pipe(Layer.provideMerge(NodeContext.layer), Layer.provideMerge(Logger.minimumLogLevel(LogLevel.None)))

const test = (
  name: string,
  body: () => Effect.Effect<void, unknown, NodeContext.NodeContext | HttpClient.HttpClient | Scope.Scope>
) => it.scopedLive(name, () => body().pipe(Effect.provide(Layer.merge(NodeContext.layer, FetchHttpClient.layer))))

/** Retries `effect` every 50 ms for up to 5 s until it succeeds. */
const eventually = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.retry(effect, Schedule.spaced("50 millis").pipe(Schedule.upTo("5 seconds")))

describe("Daemon.run", () => {
  test("serves its endpoints, passes at start and again when the desired file changes", () =>
    Effect.gen(function*() {
      const { fs, get, options } = yield* setup
      const passes = yield* Ref.make<ReadonlyArray<ReadonlyArray<string>>>([])
      const pass = (desired: { readonly orgs: ReadonlyArray<{ readonly name: string }> }) =>
        Effect.as(Ref.update(passes, (list) => [...list, desired.orgs.map((org) => org.name)]), passResult())
      yield* Daemon.run(options).pipe(Effect.provide(services(options.statePath, pass)), Effect.forkScoped)

      yield* eventually(Effect.filterOrFail(get("/readyz"), (response) => response.status === 200))
      expect(yield* Ref.get(passes)).toEqual([["Engineering"]])
      const status = JSON.parse((yield* get("/api/status")).text)
      expect(status).toMatchObject({ inSync: true, ready: true, lastPass: { result: "converged" } })
      expect((yield* get("/metrics")).text).toMatch(/^orgsync_passes_total\{result="converged"\} [1-9]/m)

      // An editor's atomic save.
      yield* fs.writeFileString(`${options.desiredPath}.tmp`, "orgs:\n  - name: Sales\n")
      yield* fs.rename(`${options.desiredPath}.tmp`, options.desiredPath)
      yield* eventually(Effect.filterOrFail(Ref.get(passes), (list) => list.length === 2))
      expect((yield* Ref.get(passes))[1]).toEqual(["Sales"])
    }))

  test("a second daemon on the same state database fails, naming the first", () =>
    Effect.gen(function*() {
      const { options } = yield* setup
      const layer = services(options.statePath, () => Effect.succeed(passResult()))
      const started = yield* Deferred.make<void>()
      yield* Daemon.run({ ...options, listen: undefined }).pipe(
        Effect.provide(
          services(options.statePath, () => Effect.as(Deferred.succeed(started, undefined), passResult()))
        ),
        Effect.forkScoped
      )
      yield* Deferred.await(started)
      const error = yield* Effect.flip(Daemon.run(options).pipe(Effect.provide(layer)))
      expect(error._tag).toBe("StateLocked")
      expect(error.message).toContain(`pid ${process.pid}`)
      expect(error.message).toContain(options.statePath)
    }))

  test("on interruption the write in flight settles, then the endpoints close and the lock is released", () =>
    Effect.gen(function*() {
      const { fs, get, options } = yield* setup
      const inFlight = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const settled = yield* Ref.make(false)
      // As the reconciler makes each write and its journal entry: uninterruptible.
      const pass = () =>
        Effect.uninterruptible(Effect.gen(function*() {
          yield* Deferred.succeed(inFlight, undefined)
          yield* Deferred.await(release)
          yield* Ref.set(settled, true)
          return passResult() as Reconciler.PassResult
        }))
      const daemon = yield* Daemon.run(options).pipe(Effect.provide(services(options.statePath, pass)), Effect.fork)
      yield* Deferred.await(inFlight)
      expect((yield* get("/healthz")).status).toBe(200)

      const stopping = yield* Effect.fork(Fiber.interrupt(daemon))
      yield* Effect.sleep("200 millis")
      expect(yield* Ref.get(settled)).toBe(false)
      expect(stopping.unsafePoll()).toBeNull()
      expect(yield* fs.exists(StateLock.lockPath(options.statePath))).toBe(true)

      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(stopping)
      expect(yield* Ref.get(settled)).toBe(true)
      expect(yield* fs.exists(StateLock.lockPath(options.statePath))).toBe(false)
      expect(yield* Effect.either(get("/healthz"))).toMatchObject({ _tag: "Left" })
    }))

  test("fails with a clear message when the listen address is taken", () =>
    Effect.gen(function*() {
      const { options } = yield* setup
      const port = options.listen!.port
      const blocker = net.createServer()
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => {
          blocker.listen(port, "127.0.0.1", () => resume(Effect.void))
        }),
        () =>
          Effect.async<void>((resume) => {
            blocker.close(() => resume(Effect.void))
          })
      )
      const error = yield* Effect.flip(
        Daemon.run(options).pipe(Effect.provide(services(options.statePath, () => Effect.succeed(passResult()))))
      )
      expect(error._tag).toBe("ListenError")
      expect(error.message).toContain(`cannot listen on 127.0.0.1:${port}`)
    }))
})
