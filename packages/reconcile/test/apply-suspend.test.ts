/**
 * Writing stops as soon as it may no more (a daemon suspended during a pass): the writes in flight settle, or are
 * cut short where a guard stops them, the others are not sent, not journaled and not failed, and the pass leaves
 * them pending. Code42 is a test double whose creates take 2.5 s of the TestClock.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Queue, Ref, TestClock } from "effect"
import * as Apply from "../src/Apply.js"
import { OrgApi } from "../src/OrgApi.js"
import * as Reconciler from "../src/Reconciler.js"
import * as StateDb from "../src/StateDb.js"
import { change, d, desired, emptyPlan } from "./plan-fixtures.js"
import * as TenantDouble from "./tenant-double.js"

const { top } = TenantDouble

const teams = Array.from({ length: 12 }, (_, i) => `Team ${String(i + 1).padStart(2, "0")}`)

/** The tenant double, whose creates take 2.5 s each; `sent` gets the name of every create as it is sent. */
const slowTenant = Effect.gen(function*() {
  const tenant = yield* TenantDouble.make([])
  const sent = yield* Queue.unbounded<string>()
  const api: OrgApi = {
    ...tenant.api,
    create: (input) =>
      Queue.offer(sent, input.orgName).pipe(
        Effect.zipRight(Effect.sleep("2500 millis")),
        Effect.zipRight(tenant.api.create(input))
      )
  }
  /** A create of a team that reaches Code42 at once, whatever becomes of its answer. */
  const reaches = (orgName: string) =>
    tenant.api.create({ orgName, orgExtRef: null, notes: null, parentOrgUid: top.orgUid })
  return { ...tenant, api, sent, reaches }
})

type SlowTenant = Effect.Effect.Success<typeof slowTenant>

/** A plan that creates every team right under the top-level org. */
const createTeams = () => ({
  ...emptyPlan,
  rootOrgUid: top.orgUid,
  changes: teams.map((name) => ({ ...change("create", name), parentOrgUid: top.orgUid }))
})

/** A write cut short, as a suspension cuts it, once `stop` is done. */
const cutShortOn = (stop: Deferred.Deferred<void>) => <A, E>(send: Effect.Effect<A, E>) =>
  Effect.raceFirst(send, Effect.zipRight(Deferred.await(stop), Effect.fail(new Apply.WritingStopped())))

/** A pass over the twelve teams against `tenant`, started in the background. */
const passStarted = (tenant: SlowTenant, options: Pick<Reconciler.PassOptions, "mayWrite" | "guard">) =>
  Reconciler.make({ principal: "test", signedInUser: true, concurrency: 4 }).pipe(
    Effect.provideService(OrgApi, tenant.api),
    Effect.flatMap((reconciler) =>
      reconciler.pass(desired(teams.map((name) => d(name))), { dryRun: false, force: false, kind: "run", ...options })
    ),
    Effect.fork
  )

/** Waits until `n` creates are in flight. */
const inFlight = (sent: Queue.Queue<string>, n: number) => Effect.replicateEffect(Queue.take(sent), n)

/** Writing, as a suspension allows it: no once `suspended` is set. */
const allowedUnless = (suspended: Ref.Ref<boolean>) => () => Effect.map(Ref.get(suspended), (s) => !s)

/** Sets `suspended` while the first four creates are in flight, and answers what `fiber` ends with. */
const suspendedMidway = <A, E>(tenant: SlowTenant, suspended: Ref.Ref<boolean>, fiber: Fiber.Fiber<A, E>) =>
  Effect.gen(function*() {
    yield* inFlight(tenant.sent, 4)
    yield* TestClock.adjust("1200 millis")
    yield* Ref.set(suspended, true)
    yield* TestClock.adjust("30 seconds")
    const result = yield* Fiber.join(fiber)
    expect(yield* Queue.size(tenant.sent), "creates sent after the suspension").toBe(0)
    return result
  })

/** What a pass stopped by a suspension tells, and the run it records. */
const stoppedPass = (result: Reconciler.PassResult) =>
  Effect.gen(function*() {
    const [run] = yield* Effect.flatMap(StateDb.StateDb, (db) => db.recentRuns(1))
    return {
      pending: result.pending.changes.map((c) => `${c.action} ${c.path}`),
      counts: { applied: result.applied, failed: result.failed, stopped: result.stopped, converged: result.converged },
      errors: result.errors.filter((line) => !line.startsWith("not sent")),
      run: { result: run?.result, counts: run?.counts }
    }
  })

describe("writing stops when it may no more", () => {
  it.effect("Apply sends no write once mayWrite says no: those in flight settle, the rest are not sent nor failed", () =>
    Effect.gen(function*() {
      const tenant = yield* slowTenant
      const suspended = yield* Ref.make(false)
      const fiber = yield* Apply.execute(createTeams(), [top], { concurrency: 4, mayWrite: allowedUnless(suspended) })
        .pipe(Effect.provideService(OrgApi, tenant.api), Effect.fork)
      const result = yield* suspendedMidway(tenant, suspended, fiber)
      expect({ applied: result.applied, failed: result.failed, notSent: result.notSent, errors: result.errors })
        .toEqual({ applied: 4, failed: 0, notSent: 8, errors: [] })
      // Only the writes sent are journaled, each settled.
      const db = yield* StateDb.StateDb
      const journal = yield* db.journalSince(new Date(0))
      expect(journal.map((entry) => [entry.path, entry.outcome]).sort()).toEqual(teams.slice(0, 4).map((name) => [name, "done"]))
      expect(yield* db.unsettled).toEqual([])
    }).pipe(Effect.provide(TenantDouble.stateDb())))

  it.effect("a pass stopped by a suspension leaves the writes not sent pending, and its run pending, not failed", () =>
    Effect.gen(function*() {
      const tenant = yield* slowTenant
      const suspended = yield* Ref.make(false)
      const fiber = yield* passStarted(tenant, { mayWrite: allowedUnless(suspended) })
      const result = yield* suspendedMidway(tenant, suspended, fiber)
      expect([...yield* tenant.writes].sort()).toEqual(teams.slice(0, 4).map((name) => `create ${name}`))
      expect(yield* stoppedPass(result)).toMatchObject({
        pending: teams.slice(4).map((name) => `create ${name}`),
        counts: { applied: 4, failed: 0, stopped: true, converged: false },
        errors: [],
        run: { result: "pending", counts: { applied: 4, failed: 0, pending: 8 } }
      })
      expect(yield* Effect.flatMap(StateDb.StateDb, (db) => db.unsettled)).toEqual([])
    }).pipe(Effect.provide(TenantDouble.stateDb())))

  it.effect("a guard cuts the writes in flight short: unknown, left unsettled for the re-read, the rest not sent", () =>
    Effect.gen(function*() {
      const tenant = yield* slowTenant
      const stop = yield* Deferred.make<void>()
      const fiber = yield* Apply.execute(createTeams(), [top], { concurrency: 4, guard: cutShortOn(stop) }).pipe(
        Effect.provideService(OrgApi, tenant.api),
        Effect.fork
      )
      yield* inFlight(tenant.sent, 4)
      yield* TestClock.adjust("1200 millis")
      yield* Deferred.succeed(stop, undefined)
      const result = yield* Fiber.join(fiber)
      yield* TestClock.adjust("30 seconds")
      expect(yield* Queue.size(tenant.sent)).toBe(0)
      expect(yield* tenant.writes).toEqual([])
      expect({ applied: result.applied, failed: result.failed, unknown: result.unknown, notSent: result.notSent })
        .toEqual({ applied: 0, failed: 0, unknown: 4, notSent: 8 })
      expect(result.stopped).toBe(true)
      expect(result.uncertain.map((u) => [u.change.path, u.stopped, u.error.reason._tag])).toEqual(
        teams.slice(0, 4).map((name) => [name, true, "UnknownOutcomeError"])
      )
      expect(result.uncertain[0]!.error.message).toContain("writing was suspended while it was being sent")
      const db = yield* StateDb.StateDb
      expect((yield* db.unsettled).map((entry) => entry.path).sort()).toEqual(teams.slice(0, 4))
    }).pipe(Effect.provide(TenantDouble.stateDb())))

  it.effect("a pass whose writes a guard cut short re-reads: done ones applied, the others pending, not failed", () =>
    Effect.gen(function*() {
      const tenant = yield* slowTenant
      const stop = yield* Deferred.make<void>()
      const fiber = yield* passStarted(tenant, { guard: cutShortOn(stop) })
      yield* inFlight(tenant.sent, 4)
      // The first create reaches Code42 although its answer is cut off; the others do not.
      const reached = yield* tenant.reaches(teams[0]!)
      yield* Deferred.succeed(stop, undefined)
      const result = yield* Fiber.join(fiber)
      expect(yield* Queue.size(tenant.sent)).toBe(0)
      const passed = yield* stoppedPass(result)
      expect(passed).toMatchObject({
        pending: teams.slice(1).map((name) => `create ${name}`),
        counts: { applied: 1, failed: 0, stopped: true, converged: false },
        run: { result: "pending", counts: { applied: 1, failed: 0, pending: 11 } }
      })
      // The creates cut short in flight may have reached Code42: awaited, not sent again, their outcome unknown.
      expect(passed.errors.map((line) => /^outcome unknown: the create of (.+?) sent/.exec(line)?.[1]))
        .toEqual(teams.slice(1, 4))
      // Settled by the re-read: the create that happened adopted, never sent again; the others are left for the
      // next run to wait for.
      const db = yield* StateDb.StateDb
      expect((yield* db.unsettled).map((entry) => entry.path)).toEqual(teams.slice(1, 4))
      expect((yield* db.identities).find((identity) => identity.path === teams[0])?.orgUid).toBe(reached.orgUid)
      expect(yield* tenant.writes).toEqual([`create ${teams[0]}`])
    }).pipe(Effect.provide(TenantDouble.stateDb())))
})
