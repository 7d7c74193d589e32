/**
 * The reconcile loop following git, under the TestClock: a git source double that the test answers fetch by
 * fetch (with files written to a real temporary folder), and a reconciler double that records each pass.
 */
import { type Desired, Reconciler } from "@c42/reconcile"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Queue, Stream, SubscriptionRef, TestClock, TestServices } from "effect"
import * as Daemon from "../../src/Daemon.js"
import * as DaemonStatus from "../../src/DaemonStatus.js"
import { DesiredWatcher } from "../../src/DesiredWatcher.js"
import { type Checkout, type Commit, GitError, GitSource } from "../../src/GitSource.js"
import { passResult } from "../support/daemon-fixtures.js"

const settings = { repo: "git@git.example.com:acme/orgs.git", branch: "main", path: "orgs.yaml" }

const commit = (sha: string): Commit => ({ sha: sha.padEnd(40, "0"), author: "Ada <ada@example.com>", subject: sha })

const harness = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-loop-git-" })
  const fetches = yield* Queue.unbounded<Effect.Effect<Checkout, GitError>>()
  const passes = yield* Queue.unbounded<{ readonly desired: Desired.DesiredState; readonly options: Reconciler.PassOptions }>()
  const refreshes = yield* Queue.unbounded<void>()
  const status = yield* DaemonStatus.make({ desiredPath: settings.path, dryRun: false, git: settings })

  /** The next fetch finds `c` with `text` as its orgs.yaml. */
  const head = (c: Commit, text: string) =>
    Effect.gen(function*() {
      yield* fs.makeDirectory(`${dir}/${c.sha}`)
      yield* fs.writeFileString(`${dir}/${c.sha}/orgs.yaml`, text)
      const prefix = `${dir}/${c.sha}/`
      yield* Queue.offer(fetches, Effect.succeed<Checkout>({
        commit: c,
        desired: `${prefix}orgs.yaml`,
        fetchedAt: new Date(0),
        inRepo: (file) => file.replace(prefix, "")
      }))
    })
  const unreachable = Queue.offer(
    fetches,
    Effect.fail(new GitError({ reason: "Unreachable", message: "cannot fetch git@git.example.com:acme/orgs.git" }))
  )

  const doubles = Layer.mergeAll(
    Layer.succeed(DesiredWatcher, DesiredWatcher.of({ watch: () => Effect.die("a git branch is not watched") })),
    Layer.succeed(GitSource, GitSource.of({
      sync: () => Effect.flatten(Queue.take(fetches)),
      at: () => Effect.die("no state database: no last good commit is kept")
    })),
    Layer.succeed(Reconciler.Reconciler, Reconciler.Reconciler.of({
      pass: (desired, options) => Effect.as(Queue.offer(passes, { desired, options }), passResult())
    })),
    Layer.succeed(DaemonStatus.DaemonStatus, status)
  )
  yield* Daemon.loop({
    desiredPath: "/not/read",
    dryRun: false,
    interval: "5 minutes",
    git: settings,
    refreshes: Stream.fromQueue(refreshes)
  }).pipe(Effect.provide(doubles), Effect.forkScoped)

  /** The next pass, waiting for it in real time (the files are real). */
  const nextPass = Queue.take(passes).pipe(Effect.timeout("5 seconds"), TestServices.provideLive)
  return { head, unreachable, nextPass, refreshes, state: SubscriptionRef.get(status) }
})

const git = (state: DaemonStatus.State) => DaemonStatus.view(state, { runs: [] }, new Date(0)).git!

describe("Daemon.loop following git", () => {
  it.scoped("passes with the files at the fetched commit, its commit recorded; a failed fetch keeps the last good one", () =>
    Effect.gen(function*() {
      const { head, nextPass, state, unreachable } = yield* harness
      const a = commit("aaaaaaa1")
      yield* head(a, "orgs:\n  - name: Engineering\n")
      const first = yield* nextPass
      expect(first.desired.files).toEqual(["orgs.yaml"])
      expect(first.desired.orgs.map((org) => org.name)).toEqual(["Engineering"])
      expect(first.desired.orgs[0]!.location.file).toBe("orgs.yaml")
      expect(first.options.commit).toEqual(a)
      expect(git(yield* state)).toMatchObject({ sync: "synced", summary: "synced to aaaaaaa", sha: a.sha })

      yield* unreachable
      yield* TestClock.adjust("6 minutes")
      const second = yield* nextPass
      expect(second.desired).toBe(first.desired)
      expect(second.options.commit).toEqual(a)
      const down = yield* state
      expect(git(down)).toMatchObject({ sync: "fetch failed", sha: a.sha, fetchFailures: 1 })
      expect(Option.getOrNull(DaemonStatus.notReady(down))).toBe(
        "cannot follow git: cannot fetch git@git.example.com:acme/orgs.git; the last good commit aaaaaaa stays in force"
      )
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a commit that does not validate makes no pass from it; the last good commit stays in force", () =>
    Effect.gen(function*() {
      const { head, nextPass, state } = yield* harness
      const a = commit("aaaaaaa1")
      const b = commit("bbbbbbb2")
      yield* head(a, "orgs:\n  - name: Engineering\n")
      const first = yield* nextPass
      yield* head(b, "orgs:\n  - name: Engineering\n    colour: red\n")
      yield* TestClock.adjust("6 minutes")
      const second = yield* nextPass
      expect(second.desired).toBe(first.desired)
      expect(second.options.commit).toEqual(a)
      const now = yield* state
      expect(now.desired.issues.map((issue) => [issue.file, issue.line])).toEqual([["orgs.yaml", 3]])
      expect(git(now)).toMatchObject({ sync: "invalid", sha: a.sha, fetchedSha: b.sha })
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a refresh fetches and passes at once, without waiting for the interval", () =>
    Effect.gen(function*() {
      const { head, nextPass, refreshes } = yield* harness
      const a = commit("aaaaaaa1")
      const b = commit("bbbbbbb2")
      yield* head(a, "orgs:\n  - name: Engineering\n")
      yield* nextPass
      yield* head(b, "orgs:\n  - name: Sales\n")
      yield* Queue.offer(refreshes, undefined)
      const refreshed = yield* nextPass
      expect(refreshed.options.commit).toEqual(b)
      expect(refreshed.desired.orgs.map((org) => org.name)).toEqual(["Sales"])
    }).pipe(Effect.provide(NodeContext.layer)))
})
