/**
 * The reconcile loop under the TestClock, with the real desired-files loader over real temporary files, a
 * reconciler double that the test answers pass by pass, and a watcher double the test triggers.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import {
  Deferred,
  Duration,
  Effect,
  HashMap,
  Layer,
  Logger,
  Metric,
  Option,
  Queue,
  type Scope,
  Stream,
  SubscriptionRef,
  TestClock,
  TestServices
} from "effect"
import * as Daemon from "../../src/Daemon.js"
import * as PassSchedule from "../../src/PassSchedule.js"
import * as DaemonControl from "../../src/DaemonControl.js"
import * as DaemonMetrics from "../../src/DaemonMetrics.js"
import * as DaemonStatus from "../../src/DaemonStatus.js"
import { Desired, Policy, Reconciler, StateDb } from "@c42/reconcile"
import { DesiredWatcher } from "../../src/DesiredWatcher.js"
import { change, conflict, passResult, plan } from "../support/daemon-fixtures.js"

const engineering = "orgs:\n  - name: Engineering\n    children:\n      - name: Platform\n"
const sales = "orgs:\n  - name: Sales\n"
const invalid = "orgs:\n  - name: Engineering\n    colour: red\n"

const minutes = (n: number) => n * 60_000

interface Call {
  readonly desired: Desired.DesiredState
  readonly options: Reconciler.PassOptions
  /** When the loop began this step (woke up), by the TestClock. */
  readonly since: number
  readonly reply: Deferred.Deferred<Reconciler.PassResult, Reconciler.ReconcileError>
}

interface LogLine {
  readonly level: string
  readonly message: string
  readonly annotations: Readonly<Record<string, unknown>>
}

/** Waits for the loop on something real (file reads), failing after 5 s of real time. */
const within = <A, E, R>(what: string, effect: Effect.Effect<A, E, R>) =>
  effect.pipe(
    Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => new Error(`timed out waiting for ${what}`) }),
    TestServices.provideLive
  )

/** Lets the fibers woken by the last clock move run until they wait again. */
const settle = Effect.repeatN(Effect.yieldNow(), 50)

const harness = (options: {
  readonly files: Readonly<Record<string, string>>
  readonly dryRun?: boolean
  readonly interval?: Duration.DurationInput
  /** Approvals and suspension, as the admin API changes them. */
  readonly control?: DaemonControl.DaemonControl["Type"]
}) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-loop-" })
    const write = (name: string, text: string) => fs.writeFileString(`${dir}/${name}`, text)
    for (const [name, text] of Object.entries(options.files)) yield* write(name, text)
    const desiredPath = `${dir}/orgs.yaml`
    const dryRun = options.dryRun ?? false

    const changes = yield* Queue.unbounded<{ readonly event: string; readonly path: string }>()
    const calls = yield* Queue.unbounded<Call>()
    const logs: Array<LogLine> = []
    const status = yield* DaemonStatus.make({ desiredPath, dryRun })

    const doubles = Layer.mergeAll(
      Layer.succeed(DesiredWatcher, DesiredWatcher.of({ watch: () => Effect.succeed(Stream.fromQueue(changes)) })),
      Layer.succeed(
        Reconciler.Reconciler,
        Reconciler.Reconciler.of({
          pass: (desired, passOptions) =>
            Effect.gen(function*() {
              const reply = yield* Deferred.make<Reconciler.PassResult, Reconciler.ReconcileError>()
              const { runningSince } = yield* SubscriptionRef.get(status)
              yield* Queue.offer(calls, { desired, options: passOptions, since: runningSince!.getTime(), reply })
              return yield* Deferred.await(reply)
            })
        })
      ),
      Layer.succeed(DaemonStatus.DaemonStatus, status),
      options.control === undefined ? Layer.empty : Layer.succeed(DaemonControl.DaemonControl, options.control),
      Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ annotations, logLevel, message }) => {
          logs.push({
            level: logLevel.label,
            message: (Array.isArray(message) ? message : [message]).map(String).join(" "),
            annotations: Object.fromEntries(HashMap.toEntries(annotations))
          })
        })
      )
    )
    yield* Daemon.loop({ desiredPath, dryRun, interval: options.interval ?? "5 minutes" }).pipe(
      Effect.provide(doubles),
      Effect.forkScoped
    )

    const state = SubscriptionRef.get(status)
    /** Passes the loop has finished and recorded. */
    const finished = Effect.map(state, (s) => s.recentPasses.length)
    /** Waits until the status satisfies `predicate` (which must stay true once true). */
    const until = (what: string, predicate: (s: DaemonStatus.State) => boolean) =>
      within(what, status.changes.pipe(Stream.filter(predicate), Stream.runHead, Effect.map(Option.getOrThrow)))

    return {
      dir,
      desiredPath,
      write,
      logs,
      state,
      until,
      /** A file event, as the watcher reports it. */
      touch: Queue.offer(changes, { event: "change", path: desiredPath }),
      nextCall: within("a pass", Queue.take(calls)),
      /** Answers a pass and waits until the loop has recorded it and scheduled the next one. */
      answer: (call: Call, result: Effect.Effect<Reconciler.PassResult, Reconciler.ReconcileError>) =>
        Effect.gen(function*() {
          const before = yield* finished
          yield* Deferred.complete(call.reply, result)
          return yield* until("the pass to be recorded", (s) => s.recentPasses.length > before)
        }),
      /** Asserts that no pass is under way or waiting to be answered. */
      expectIdle: Effect.gen(function*() {
        yield* settle
        expect((yield* state).runningSince).toBeUndefined()
        expect(yield* Queue.size(calls)).toBe(0)
      })
    }
  })

const now = TestClock.currentTimeMillis

/** Moves the clock to `at` (absolute TestClock millis). */
const advanceTo = (at: number) => Effect.flatMap(now, (current) => TestClock.adjust(Duration.millis(at - current)))

const converged = Effect.succeed(passResult())
const unreachable = Effect.fail(
  new Reconciler.ReconcileError({ message: "cannot read Code42: connection refused", transient: true })
)

const orgNames = (desired: Desired.DesiredState) => desired.orgs.map((org) => org.name)

/** Each test has its own TestClock, starting at 0, and the real file system. */
const test = (name: string, body: () => Effect.Effect<void, unknown, NodeContext.NodeContext | Scope.Scope>) =>
  it.scoped(name, () => body().pipe(Effect.provide(NodeContext.layer)))

describe("Daemon.loop", () => {
  test("an approval or a resume asks for a pass at once; a suspended daemon passes as a dry run", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const db = yield* Layer.build(StateDb.layer(`${yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-loop-" })}/state.db`))
      const policy: Policy.Policy = { destructive: "confirm", drift: "heal" }
      const control = yield* DaemonControl.make(policy).pipe(Effect.provide(db))
      const daemon = yield* harness({ files: { "orgs.yaml": engineering }, control })
      const deactivate = change("Engineering", {
        action: "deactivate",
        orgUid: "u/e",
        orgId: 2,
        before: { status: "active" },
        after: { status: "deactivated" }
      })
      const { kept } = Policy.gate([deactivate], policy)

      const first = yield* daemon.nextCall
      expect(first.options).toMatchObject({ dryRun: false, policy })
      yield* daemon.answer(first, Effect.succeed(passResult({ pending: plan([deactivate]), kept })))
      yield* TestClock.adjust("1 minute")
      yield* daemon.expectIdle

      yield* control.approve([kept[0]!.id])
      const approved = yield* daemon.nextCall
      expect(approved.since).toBe(minutes(1))
      expect(approved.options.decisions!.approved(kept[0]!.checksum)).toBe(true)
      yield* daemon.answer(approved, converged)

      yield* control.suspend
      yield* daemon.expectIdle
      yield* daemon.touch
      yield* TestClock.adjust("400 millis")
      const suspended = yield* daemon.nextCall
      expect(suspended.options.dryRun).toBe(true)
      yield* daemon.answer(suspended, converged)

      yield* control.resume
      const resumed = yield* daemon.nextCall
      expect(resumed.options.dryRun).toBe(false)
      expect(resumed.since).toBe(minutes(1) + 400)
      yield* daemon.answer(resumed, converged)
    }))

  test("reconciles at start with the desired files read afresh, as a dry run when asked", () =>
    Effect.gen(function*() {
      const wet = yield* harness({ files: { "orgs.yaml": engineering } })
      const first = yield* wet.nextCall
      expect(first.since).toBe(0)
      expect(first.options).toEqual({ dryRun: false, force: false, kind: "run" })
      expect(orgNames(first.desired)).toEqual(["Engineering"])
      expect(first.desired.orgs[0]!.children.map((org) => org.path)).toEqual(["Engineering/Platform"])

      const dry = yield* harness({ files: { "orgs.yaml": sales }, dryRun: true })
      const call = yield* dry.nextCall
      expect(call.options).toEqual({ dryRun: true, force: false, kind: "run" })
      expect(orgNames(call.desired)).toEqual(["Sales"])
    }))

  test("debounces file events: one pass, 400 ms after the last of a burst", () =>
    Effect.gen(function*() {
      const daemon = yield* harness({ files: { "orgs.yaml": engineering } })
      yield* daemon.answer(yield* daemon.nextCall, converged)

      yield* daemon.touch
      yield* TestClock.adjust("300 millis")
      yield* daemon.touch
      yield* TestClock.adjust("399 millis")
      yield* daemon.expectIdle

      yield* TestClock.adjust("1 millis")
      const call = yield* daemon.nextCall
      expect(call.since).toBe(700)
      yield* daemon.answer(call, converged)
      yield* TestClock.adjust("10 seconds")
      yield* daemon.expectIdle
    }))

  test("coalesces the triggers that arrive during a pass into exactly one more pass, on fresh files", () =>
    Effect.gen(function*() {
      const daemon = yield* harness({ files: { "orgs.yaml": engineering } })
      const first = yield* daemon.nextCall
      for (let i = 0; i < 3; i++) {
        yield* daemon.touch
        yield* TestClock.adjust(PassSchedule.debounce)
      }
      yield* daemon.write("orgs.yaml", sales)
      yield* daemon.touch
      yield* TestClock.adjust(PassSchedule.debounce)

      yield* daemon.answer(first, converged)
      const second = yield* daemon.nextCall
      expect(second.since).toBe(4 * 400)
      expect(orgNames(second.desired)).toEqual(["Sales"])
      yield* daemon.answer(second, converged)
      yield* daemon.expectIdle
      yield* TestClock.adjust("1 minute")
      yield* daemon.expectIdle
    }))

  test("passes again every interval, give or take 10%", () =>
    Effect.gen(function*() {
      const daemon = yield* harness({ files: { "orgs.yaml": engineering }, interval: "5 minutes" })
      let call = yield* daemon.nextCall
      const delays: Array<number> = []
      for (let i = 0; i < 5; i++) {
        const state = yield* daemon.answer(call, converged)
        const due = state.nextPassAt!.getTime()
        const delay = due - call.since
        expect(delay).toBeGreaterThanOrEqual(minutes(5) * 0.9)
        expect(delay).toBeLessThanOrEqual(minutes(5) * 1.1)
        delays.push(delay)
        yield* advanceTo(due - 1)
        yield* daemon.expectIdle
        yield* advanceTo(due)
        call = yield* daemon.nextCall
        expect(call.since).toBe(due)
      }
      expect(new Set(delays).size).toBeGreaterThan(1)
    }))

  test("backs off failed passes from 1 s, doubling up to 5 minutes, and starts over after a success", () =>
    Effect.gen(function*() {
      const daemon = yield* harness({ files: { "orgs.yaml": engineering } })
      const errors = Metric.tagged(DaemonMetrics.passesTotal, "result", "error")
      const errorsBefore = (yield* Metric.value(errors)).count
      let call = yield* daemon.nextCall
      for (let attempt = 1; attempt <= 11; attempt++) {
        const state = yield* daemon.answer(call, unreachable)
        expect(state.failures).toBe(attempt)
        const due = state.nextPassAt!.getTime()
        const nominal = 1000 * 2 ** (attempt - 1)
        const delay = due - call.since
        expect(delay).toBeGreaterThanOrEqual(Math.min(nominal * 0.8, minutes(5)))
        expect(delay).toBeLessThanOrEqual(Math.min(nominal * 1.2, minutes(5)))
        if (attempt >= 10) expect(delay).toBe(minutes(5))
        yield* advanceTo(due - 1)
        yield* daemon.expectIdle
        yield* advanceTo(due)
        call = yield* daemon.nextCall
        expect(call.since).toBe(due)
      }
      expect((yield* Metric.value(errors)).count - errorsBefore).toBe(11)

      // Recovery: back to the drift interval, and the next failure starts again from 1 s.
      const recovered = yield* daemon.answer(call, converged)
      expect(recovered.failures).toBe(0)
      const due = recovered.nextPassAt!.getTime()
      expect(due - call.since).toBeGreaterThanOrEqual(minutes(5) * 0.9)
      yield* advanceTo(due)
      call = yield* daemon.nextCall
      const failedAgain = yield* daemon.answer(call, unreachable)
      const delay = failedAgain.nextPassAt!.getTime() - call.since
      expect(delay).toBeGreaterThanOrEqual(800)
      expect(delay).toBeLessThanOrEqual(1200)
    }))

  test("keeps the last good desired state while the files do not validate, and picks up the fix", () =>
    Effect.gen(function*() {
      const daemon = yield* harness({ files: { "orgs.yaml": engineering } })
      const good = yield* daemon.nextCall
      yield* daemon.answer(good, converged)
      expect((yield* Metric.value(DaemonMetrics.desiredValid)).value).toBe(1)

      yield* daemon.write("orgs.yaml", invalid)
      yield* daemon.touch
      yield* TestClock.adjust(PassSchedule.debounce)
      const stale = yield* daemon.nextCall
      expect(stale.desired).toEqual(good.desired)
      const rejected = yield* daemon.answer(stale, converged)
      expect(rejected.desired.valid).toBe(false)
      expect(rejected.desired.inForce).toBe(true)
      expect(rejected.desired.issues).toEqual([
        expect.objectContaining({ file: daemon.desiredPath, line: 3, column: 5 })
      ])
      expect((yield* Metric.value(DaemonMetrics.desiredValid)).value).toBe(0)
      expect(Option.getOrThrow(DaemonStatus.notReady(rejected))).toContain("do not validate")

      // A drift pass while the files are still wrong: the last good state again, the issue logged once only.
      yield* advanceTo(rejected.nextPassAt!.getTime())
      const drift = yield* daemon.nextCall
      expect(drift.desired).toEqual(good.desired)
      yield* daemon.answer(drift, converged)
      const issueLines = daemon.logs.filter((line) => line.message.startsWith(`${daemon.desiredPath}:3:5: unknown key`))
      expect(issueLines.map((line) => line.level)).toEqual(["ERROR"])

      yield* daemon.write("orgs.yaml", sales)
      yield* daemon.touch
      yield* TestClock.adjust(PassSchedule.debounce)
      const fixed = yield* daemon.nextCall
      expect(orgNames(fixed.desired)).toEqual(["Sales"])
      const accepted = yield* daemon.answer(fixed, converged)
      expect(accepted.desired).toMatchObject({ valid: true, issues: [] })
      expect((yield* Metric.value(DaemonMetrics.desiredValid)).value).toBe(1)
    }))

  test("makes no pass at all until the desired files validate once", () =>
    Effect.gen(function*() {
      const daemon = yield* harness({ files: { "orgs.yaml": invalid } })
      const skipped = yield* daemon.until("the first step", (s) => s.nextPassAt !== undefined)
      expect(skipped.desired).toMatchObject({ valid: false, inForce: false })
      expect(Option.getOrThrow(DaemonStatus.notReady(skipped))).toContain("no good state yet")
      yield* daemon.expectIdle

      yield* advanceTo(skipped.nextPassAt!.getTime())
      yield* daemon.until("the second step", (s) => s.nextPassAt!.getTime() > skipped.nextPassAt!.getTime())
      yield* daemon.expectIdle

      yield* daemon.write("orgs.yaml", engineering)
      yield* daemon.touch
      yield* TestClock.adjust(PassSchedule.debounce)
      const call = yield* daemon.nextCall
      expect(orgNames(call.desired)).toEqual(["Engineering"])
    }))

  test("logs one line per pass with its counts and duration, and records them in the status", () =>
    Effect.gen(function*() {
      const daemon = yield* harness({ files: { "orgs.yaml": engineering } })
      const call = yield* daemon.nextCall
      yield* TestClock.adjust("1500 millis")
      const pending = plan([change("Engineering/Mobile")], [conflict("Sales", "two orgs are named Sales")])
      const state = yield* daemon.answer(
        call,
        Effect.succeed(passResult({ applied: 3, failed: 1, drift: 2, pending, errors: ["update Engineering failed"] }))
      )
      const lines = daemon.logs.filter((line) => line.message === "reconciled")
      expect(lines).toHaveLength(1)
      expect(lines[0]!.annotations).toMatchObject({
        result: "pending",
        applied: 3,
        failed: 1,
        pending: 1,
        drift: 2,
        conflicts: 1,
        duration_ms: 1500
      })
      expect(state.lastPass).toMatchObject({ result: "pending", applied: 3, pending: 1, conflicts: 1 })
      expect(state.plan).toBe(pending)
      expect(state.lastSuccessAt!.getTime()).toBe(1500)

      yield* advanceTo(state.nextPassAt!.getTime())
      yield* daemon.answer(yield* daemon.nextCall, unreachable)
      const failure = daemon.logs.filter((line) => line.message.startsWith("reconcile failed"))
      expect(failure).toHaveLength(1)
      expect(failure[0]!.level).toBe("WARN")
      expect(failure[0]!.message).toContain("connection refused")
      expect(failure[0]!.annotations).toMatchObject({ result: "error" })
    }))
})
