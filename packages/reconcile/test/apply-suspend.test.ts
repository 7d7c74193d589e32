/**
 * Writing stops as soon as it may no more (a daemon suspended during a pass): the writes in flight settle, or are
 * cut short where a guard stops them, the others are not sent, not journaled and not failed, and the pass leaves
 * them pending. Code42 is a test double whose creates take 2.5 s of the TestClock.
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Queue, Ref, Stream, TestClock } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Apply from "../src/Apply.js"
import { OrgApi, type RemoteOrg } from "../src/OrgApi.js"
import type { Change, Plan } from "../src/Plan.js"
import * as Reconciler from "../src/Reconciler.js"
import * as StateDb from "../src/StateDb.js"
import { d, desired } from "./plan-fixtures.js"

const root: RemoteOrg = {
  orgId: 1,
  orgUid: "root",
  orgName: "Tenant",
  orgExtRef: null,
  notes: null,
  active: true,
  blocked: false,
  parentOrgUid: null
}

const teams = Array.from({ length: 12 }, (_, i) => `Team ${String(i + 1).padStart(2, "0")}`)

/** A tenant whose creates take 2.5 s each; `sent` gets the name of every create as it is sent. */
const slowTenant = Effect.gen(function*() {
  const orgs = yield* Ref.make<ReadonlyArray<RemoteOrg>>([root])
  const sent = yield* Queue.unbounded<string>()
  const api: OrgApi = {
    api: "v3",
    canBlock: true,
    pages: Stream.fromEffect(Effect.map(Ref.get(orgs), (list) => ({ totalCount: list.length, orgs: list }))),
    create: (input) =>
      Effect.gen(function*() {
        yield* Queue.offer(sent, input.orgName)
        yield* Effect.sleep("2500 millis")
        const all = yield* Ref.get(orgs)
        const org: RemoteOrg = {
          ...root,
          orgId: all.length + 1,
          orgUid: `uid-${all.length + 1}`,
          orgName: input.orgName,
          parentOrgUid: input.parentOrgUid
        }
        yield* Ref.set(orgs, [...all, org])
        return org
      }),
    update: () => Effect.die("no update in this test"),
    act: () => Effect.die("no state change in this test"),
    currentOrgUid: Effect.succeed("root")
  }
  return { api, orgs, sent }
})

const stateDb = () =>
  StateDb.layer(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-suspend-")), "state.db")).pipe(
    Layer.provide(NodeContext.layer)
  )

const create = (name: string): Change => ({
  action: "create",
  path: name,
  orgUid: null,
  orgId: null,
  parentPath: "",
  parentOrgUid: "root",
  before: null,
  after: { name },
  cascadesTo: [],
  cause: "desired"
})

const planOf = (changes: ReadonlyArray<Change>): Plan => ({
  changes,
  conflicts: [],
  unmanaged: [],
  refusal: undefined,
  resolved: [],
  rootOrgUid: "root",
  managedCount: 0,
  restricted: 0
})

/** Waits until `n` creates are in flight. */
const inFlight = (sent: Queue.Queue<string>, n: number) => Effect.replicateEffect(Queue.take(sent), n)

describe("writing stops when it may no more", () => {
  it.effect("Apply sends no write once mayWrite says no: those in flight settle, the rest are not sent nor failed", () =>
    Effect.gen(function*() {
      const tenant = yield* slowTenant
      const suspended = yield* Ref.make(false)
      const mayWrite = () => Effect.map(Ref.get(suspended), (s) => !s)
      const fiber = yield* Apply.execute(planOf(teams.map(create)), [root], { concurrency: 4, mayWrite }).pipe(
        Effect.provideService(OrgApi, tenant.api),
        Effect.fork
      )
      yield* inFlight(tenant.sent, 4)
      yield* TestClock.adjust("1200 millis")
      yield* Ref.set(suspended, true)
      yield* TestClock.adjust("30 seconds")
      const result = yield* Fiber.join(fiber)
      expect(yield* Queue.size(tenant.sent)).toBe(0)
      expect({ applied: result.applied, failed: result.failed, notSent: result.notSent, errors: result.errors })
        .toEqual({ applied: 4, failed: 0, notSent: 8, errors: [] })
      // Only the writes sent are journaled, each settled.
      const db = yield* StateDb.StateDb
      const journal = yield* db.journalSince(new Date(0))
      expect(journal.map((entry) => [entry.path, entry.outcome]).sort()).toEqual(teams.slice(0, 4).map((name) => [name, "done"]))
      expect(yield* db.unsettled).toEqual([])
    }).pipe(Effect.provide(stateDb())))

  it.effect("a pass stopped by a suspension leaves the writes not sent pending, and its run pending, not failed", () =>
    Effect.gen(function*() {
      const tenant = yield* slowTenant
      const suspended = yield* Ref.make(false)
      const reconciler = yield* Reconciler.make({ principal: "test", signedInUser: true, concurrency: 4 }).pipe(
        Effect.provideService(OrgApi, tenant.api)
      )
      const fiber = yield* reconciler.pass(desired(teams.map((name) => d(name))), {
        dryRun: false,
        force: false,
        kind: "run",
        mayWrite: () => Effect.map(Ref.get(suspended), (s) => !s)
      }).pipe(Effect.fork)
      yield* inFlight(tenant.sent, 4)
      yield* TestClock.adjust("1200 millis")
      yield* Ref.set(suspended, true)
      yield* TestClock.adjust("30 seconds")
      const result = yield* Fiber.join(fiber)
      expect(yield* Queue.size(tenant.sent)).toBe(0)
      expect((yield* Ref.get(tenant.orgs)).map((org) => org.orgName).sort()).toEqual([...teams.slice(0, 4), "Tenant"])
      expect(result.pending.changes.map((c) => `${c.action} ${c.path}`)).toEqual(teams.slice(4).map((name) => `create ${name}`))
      expect({ applied: result.applied, failed: result.failed, stopped: result.stopped, converged: result.converged })
        .toEqual({ applied: 4, failed: 0, stopped: true, converged: false })
      expect(result.errors.filter((line) => !line.startsWith("not sent"))).toEqual([])
      const db = yield* StateDb.StateDb
      const [run] = yield* db.recentRuns(1)
      expect(run).toMatchObject({ result: "pending", counts: { applied: 4, failed: 0, pending: 8 } })
      expect(yield* db.unsettled).toEqual([])
    }).pipe(Effect.provide(stateDb())))

  it.effect("a guard cuts the writes in flight short: unknown, left unsettled for the re-read, the rest not sent", () =>
    Effect.gen(function*() {
      const tenant = yield* slowTenant
      const stop = yield* Deferred.make<void>()
      const guard = <A, E>(send: Effect.Effect<A, E>) =>
        Effect.raceFirst(send, Effect.zipRight(Deferred.await(stop), Effect.fail(new Apply.WritingStopped())))
      const fiber = yield* Apply.execute(planOf(teams.map(create)), [root], { concurrency: 4, guard }).pipe(
        Effect.provideService(OrgApi, tenant.api),
        Effect.fork
      )
      yield* inFlight(tenant.sent, 4)
      yield* TestClock.adjust("1200 millis")
      yield* Deferred.succeed(stop, undefined)
      const result = yield* Fiber.join(fiber)
      yield* TestClock.adjust("30 seconds")
      expect(yield* Queue.size(tenant.sent)).toBe(0)
      expect(yield* Ref.get(tenant.orgs)).toEqual([root])
      expect({ applied: result.applied, failed: result.failed, unknown: result.unknown, notSent: result.notSent })
        .toEqual({ applied: 0, failed: 0, unknown: 4, notSent: 8 })
      expect(result.stopped).toBe(true)
      expect(result.uncertain.map((u) => [u.change.path, u.stopped, u.error.reason._tag])).toEqual(
        teams.slice(0, 4).map((name) => [name, true, "UnknownOutcomeError"])
      )
      expect(result.uncertain[0]!.error.message).toContain("writing was suspended while it was being sent")
      const db = yield* StateDb.StateDb
      expect((yield* db.unsettled).map((entry) => entry.path).sort()).toEqual(teams.slice(0, 4))
    }).pipe(Effect.provide(stateDb())))

  it.effect("a pass whose writes a guard cut short re-reads: done ones applied, the others pending, not failed", () =>
    Effect.gen(function*() {
      const tenant = yield* slowTenant
      const stop = yield* Deferred.make<void>()
      // The first create reaches Code42 although its answer is cut off; the others do not.
      const guard = <A, E>(send: Effect.Effect<A, E>) =>
        Effect.raceFirst(send, Effect.zipRight(Deferred.await(stop), Effect.fail(new Apply.WritingStopped())))
      const reconciler = yield* Reconciler.make({ principal: "test", signedInUser: true, concurrency: 4 }).pipe(
        Effect.provideService(OrgApi, tenant.api)
      )
      const fiber = yield* reconciler.pass(desired(teams.map((name) => d(name))), {
        dryRun: false,
        force: false,
        kind: "run",
        guard
      }).pipe(Effect.fork)
      yield* inFlight(tenant.sent, 4)
      yield* Ref.update(tenant.orgs, (orgs) => [...orgs, { ...root, orgId: 2, orgUid: "uid-2", orgName: teams[0]!, parentOrgUid: "root" }])
      yield* Deferred.succeed(stop, undefined)
      const result = yield* Fiber.join(fiber)
      expect(yield* Queue.size(tenant.sent)).toBe(0)
      expect(result.pending.changes.map((c) => `${c.action} ${c.path}`)).toEqual(teams.slice(1).map((name) => `create ${name}`))
      expect({ applied: result.applied, failed: result.failed, stopped: result.stopped, converged: result.converged })
        .toEqual({ applied: 1, failed: 0, stopped: true, converged: false })
      expect(result.errors.filter((line) => !line.startsWith("not sent"))).toEqual([])
      const db = yield* StateDb.StateDb
      const [run] = yield* db.recentRuns(1)
      expect(run).toMatchObject({ result: "pending", counts: { applied: 1, failed: 0, pending: 11 } })
      // Settled by the re-read: the create that happened adopted, never sent again.
      expect(yield* db.unsettled).toEqual([])
      expect((yield* db.identities).find((identity) => identity.path === teams[0])?.orgUid).toBe("uid-2")
    }).pipe(Effect.provide(stateDb())))
})
