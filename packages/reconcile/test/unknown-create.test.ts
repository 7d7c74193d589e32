/**
 * A create whose outcome is unknown and that a re-read does not list, against a Code42 double whose listing
 * shows a new org only `lag` after its create, on the TestClock: it is awaited with re-reads, adopted once
 * listed, and sent again only when a later create listed shows the listing current (after a 5xx) or when the
 * confirmation window has passed; a create answered with success is never sent again. The journal carries the
 * rule to the next pass; writing stopped cuts the wait short.
 */
import { Code42Error } from "@c42/core"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Clock, Deferred, Effect, Fiber, Option, Ref, Stream, TestClock } from "effect"
import * as Apply from "../src/Apply.js"
import { OrgApi } from "../src/OrgApi.js"
import * as Reconciler from "../src/Reconciler.js"
import * as StateDb from "../src/StateDb.js"
import { d, desired } from "./plan-fixtures.js"
import * as TenantDouble from "./tenant-double.js"

/**
 * How the double answers the creates, one after another (the last one for all that follow): `lost` makes the
 * org and loses the answer, `refused` answers 503 without making it, `accepted` makes it and answers success
 * without it, `ok` makes it and answers it, `late` makes it and answers it but lists it only after the lag.
 */
type Answer = "lost" | "refused" | "accepted" | "ok" | "late"

/**
 * The tenant double with Sales under its top-level org, whose listing shows an org made by a create whose
 * answer did not name it (or answered `late`) only `lagMs` after the create (never with `Infinity`); an org
 * whose create was answered `ok` is listed at once (the listing has caught up by then).
 */
const laggingTenant = (lagMs: number, answers: ReadonlyArray<Answer>) =>
  Effect.gen(function*() {
    const tenant = yield* TenantDouble.make([{ orgName: "Sales" }])
    const unnamed = yield* Ref.make<ReadonlyMap<string, number>>(new Map())
    const sent = yield* Ref.make(0)
    const unknown = (extra: { status?: number; accepted?: boolean }) =>
      new Code42Error.UnknownOutcomeError({ operation: "createOrg", reason: "a test", ...extra })
    const api: OrgApi = {
      ...tenant.api,
      pages: Stream.mapEffect(tenant.api.pages, (page) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const lagging = yield* Ref.get(unnamed)
          const orgs = page.orgs.filter((org) => now - (lagging.get(org.orgUid) ?? Number.NEGATIVE_INFINITY) >= lagMs)
          return { totalCount: orgs.length, orgs }
        })),
      create: (input) =>
        Effect.gen(function*() {
          const n = yield* Ref.getAndUpdate(sent, (k) => k + 1)
          const answer = answers[Math.min(n, answers.length - 1)]!
          if (answer === "refused") return yield* unknown({ status: 503 })
          const org = yield* tenant.api.create(input)
          if (answer === "ok") return org
          const now = yield* Clock.currentTimeMillis
          yield* Ref.update(unnamed, (map) => new Map([...map, [org.orgUid, now]]))
          if (answer === "late") return org
          return yield* unknown(answer === "lost" ? {} : { status: 200, accepted: true })
        })
    }
    return { api, sent: Ref.get(sent), named: tenant.named }
  })

const idle = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/**
 * Moves the TestClock to `millis`, letting the pass run to its next sleep at each wake-up on the way (its state
 * database is real I/O).
 */
const clockTo = <A, E>(fiber: Fiber.Fiber<A, E>, millis: number) =>
  Effect.gen(function*() {
    while (true) {
      for (let i = 0; i < 200 && Chunk.isEmpty(yield* TestClock.sleeps()); i++) {
        if (Option.isSome(yield* Fiber.poll(fiber))) return
        yield* idle
      }
      const due = Chunk.toReadonlyArray(yield* TestClock.sleeps()).filter((at) => at <= millis)
      if (due.length === 0) return yield* TestClock.setTime(millis)
      yield* TestClock.setTime(Math.min(...due))
    }
  })

/** A reconciler on `tenant`, sending `concurrency` writes at once. */
const reconcilerOf = (tenant: { readonly api: OrgApi }, concurrency = 1) =>
  Reconciler.make({ principal: "test", signedInUser: true, concurrency }).pipe(Effect.provideService(OrgApi, tenant.api))

const passOf = (tenant: { readonly api: OrgApi }, options: Partial<Reconciler.PassOptions> = {}) =>
  Effect.gen(function*() {
    const reconciler = yield* reconcilerOf(tenant, 2)
    return yield* reconciler.pass(desired([d("Sales", { extRef: "S-1" }), d("Brand New")]), {
      dryRun: false,
      force: false,
      ...options
    }).pipe(Effect.fork)
  })

describe("a create of unknown outcome that a re-read does not list", () => {
  it.effect("is awaited with re-reads and adopted once listed: one create, converged", () =>
    Effect.gen(function*() {
      const tenant = yield* laggingTenant(5000, ["lost"])
      const fiber = yield* passOf(tenant)
      yield* clockTo(fiber, 4900)
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* clockTo(fiber, 8000)
      const result = yield* Fiber.join(fiber)
      expect(yield* tenant.sent).toBe(1)
      expect(yield* tenant.named("Brand New")).toHaveLength(1)
      expect({ converged: result.converged, applied: result.applied, failed: result.failed })
        .toEqual({ converged: true, applied: 2, failed: 0 })
      const db = yield* StateDb.StateDb
      expect(yield* db.unsettled).toEqual([])
      expect((yield* db.identities).find((identity) => identity.path === "Brand New")?.orgUid).toBe("uid-3")
    }).pipe(Effect.provide(TenantDouble.stateDb())))

  it.effect("a lost answer is sent again only once the confirmation window has passed without a listing", () =>
    Effect.gen(function*() {
      const tenant = yield* laggingTenant(Number.POSITIVE_INFINITY, ["lost", "ok"])
      const fiber = yield* passOf(tenant)
      yield* clockTo(fiber, 14_900)
      expect(yield* tenant.sent).toBe(1)
      yield* clockTo(fiber, 16_000)
      const result = yield* Fiber.join(fiber)
      expect(yield* tenant.sent).toBe(2)
      expect(result.converged).toBe(true)
    }).pipe(Effect.provide(TenantDouble.stateDb())))

  it.effect("after a 503, a later create listed proves it did not happen: created again at once", () =>
    Effect.gen(function*() {
      const tenant = yield* laggingTenant(0, ["refused", "ok"])
      const reconciler = yield* reconcilerOf(tenant)
      // Brand New goes first, Other New after it: listed, it shows the listing has caught up with creates.
      const result = yield* reconciler.pass(desired([d("Brand New"), d("Other New")]), { dryRun: false, force: false })
      expect(yield* TestClock.currentTimeMillis).toBe(0)
      expect(yield* tenant.sent).toBe(3)
      expect(yield* tenant.named("Brand New")).toHaveLength(1)
      expect(result.converged).toBe(true)
    }).pipe(Effect.provide(TenantDouble.stateDb())))

  it.effect("after a 503, a later update listed proves nothing of the create: the window is waited out", () =>
    Effect.gen(function*() {
      const tenant = yield* laggingTenant(0, ["refused", "ok"])
      const reconciler = yield* reconcilerOf(tenant)
      // An update shows in a listing at once, where a new org may show only later: its new extRef listed says
      // nothing of whether the create before it happened.
      const fiber = yield* reconciler.pass(desired([d("Brand New"), d("Sales", { extRef: "S-1" })]), {
        dryRun: false,
        force: false
      }).pipe(Effect.fork)
      yield* clockTo(fiber, 14_900)
      expect(yield* tenant.sent).toBe(1)
      yield* clockTo(fiber, 16_000)
      const result = yield* Fiber.join(fiber)
      expect(yield* tenant.sent).toBe(2)
      expect(yield* tenant.named("Brand New")).toHaveLength(1)
      expect(result.converged).toBe(true)
    }).pipe(Effect.provide(TenantDouble.stateDb())))

  it.effect("after a 503 with no later write to show the listing current, the window is waited out", () =>
    Effect.gen(function*() {
      const tenant = yield* laggingTenant(0, ["refused", "ok"])
      const reconciler = yield* reconcilerOf(tenant)
      const fiber = yield* reconciler.pass(desired([d("Sales"), d("Brand New")]), { dryRun: false, force: false })
        .pipe(Effect.fork)
      yield* clockTo(fiber, 14_900)
      expect(yield* tenant.sent).toBe(1)
      yield* clockTo(fiber, 16_000)
      const result = yield* Fiber.join(fiber)
      expect(yield* tenant.sent).toBe(2)
      expect(yield* tenant.named("Brand New")).toHaveLength(1)
      expect(result.converged).toBe(true)
    }).pipe(Effect.provide(TenantDouble.stateDb())))

  it.effect("a lost answer gives no such proof: the later write shows, and the create is still awaited", () =>
    Effect.gen(function*() {
      const tenant = yield* laggingTenant(3000, ["lost"])
      const reconciler = yield* reconcilerOf(tenant)
      const fiber = yield* reconciler.pass(desired([d("Brand New"), d("Sales", { extRef: "S-1" })]), {
        dryRun: false,
        force: false
      }).pipe(Effect.fork)
      yield* clockTo(fiber, 5000)
      const result = yield* Fiber.join(fiber)
      expect(yield* tenant.sent).toBe(1)
      expect(result.converged).toBe(true)
    }).pipe(Effect.provide(TenantDouble.stateDb())))

  it.effect("answered with success and never listed: not sent again, the pass fails saying so", () =>
    Effect.gen(function*() {
      const tenant = yield* laggingTenant(Number.POSITIVE_INFINITY, ["accepted"])
      const fiber = yield* passOf(tenant)
      yield* clockTo(fiber, 20_000)
      const result = yield* Fiber.join(fiber)
      expect(yield* tenant.sent).toBe(1)
      expect(result.converged).toBe(false)
      expect(result.errors.join("\n")).toMatch(
        /Code42 answered the create of Brand New \(sent at \S+\) with success but does not list the org 15s later/
      )
      const [run] = yield* (yield* StateDb.StateDb).recentRuns(1)
      expect(run?.result).toBe("failed")
    }).pipe(Effect.provide(TenantDouble.stateDb())))

  it.effect("the next pass keeps the rule from the journal: it waits out the rest of the window first", () =>
    Effect.gen(function*() {
      const tenant = yield* laggingTenant(Number.POSITIVE_INFINITY, ["lost", "ok"])
      const first = yield* passOf(tenant)
      yield* clockTo(first, 5000)
      yield* Fiber.interrupt(first)
      const db = yield* StateDb.StateDb
      expect((yield* db.unsettled).map((entry) => [entry.path, entry.answer])).toEqual([["Brand New", "lost"]])
      const second = yield* passOf(tenant)
      yield* clockTo(second, 14_900)
      expect(yield* tenant.sent).toBe(1)
      expect(Option.isNone(yield* Fiber.poll(second))).toBe(true)
      yield* clockTo(second, 16_000)
      yield* Fiber.join(second)
      expect(yield* tenant.sent).toBe(2)
    }).pipe(Effect.provide(TenantDouble.stateDb())))

  it.effect("writing stopped (a daemon suspended) cuts the wait short; the entry stays for the next pass", () =>
    Effect.gen(function*() {
      const tenant = yield* laggingTenant(Number.POSITIVE_INFINITY, ["lost"])
      const stop = yield* Deferred.make<void>()
      const guard = <A, E>(send: Effect.Effect<A, E>) =>
        Effect.raceFirst(send, Effect.zipRight(Deferred.await(stop), Effect.fail(new Apply.WritingStopped())))
      const fiber = yield* passOf(tenant, { guard })
      yield* clockTo(fiber, 2000)
      yield* Deferred.succeed(stop, undefined)
      const result = yield* Fiber.join(fiber)
      expect(yield* TestClock.currentTimeMillis).toBe(2000)
      expect({ stopped: result.stopped, converged: result.converged }).toEqual({ stopped: true, converged: false })
      expect(result.errors.join("\n")).toContain("outcome unknown: the create of Brand New")
      expect((yield* (yield* StateDb.StateDb).unsettled).map((entry) => entry.path)).toEqual(["Brand New"])
      expect(yield* tenant.sent).toBe(1)
    }).pipe(Effect.provide(TenantDouble.stateDb())))
})

describe("a create answered with its org that the listing does not show yet", () => {
  it.effect("is awaited, not missing: re-read until listed, never sent again, converged", () =>
    Effect.gen(function*() {
      const tenant = yield* laggingTenant(5000, ["late"])
      const fiber = yield* passOf(tenant)
      yield* clockTo(fiber, 4900)
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* clockTo(fiber, 8000)
      const result = yield* Fiber.join(fiber)
      expect(yield* tenant.sent).toBe(1)
      expect({ converged: result.converged, applied: result.applied, errors: result.errors })
        .toEqual({ converged: true, applied: 2, errors: [] })
    }).pipe(Effect.provide(TenantDouble.stateDb())))

  it.effect("--force never creates it again inside the window", () =>
    Effect.gen(function*() {
      const tenant = yield* laggingTenant(5000, ["late"])
      const fiber = yield* passOf(tenant, { force: true })
      yield* clockTo(fiber, 8000)
      const result = yield* Fiber.join(fiber)
      expect(yield* tenant.sent).toBe(1)
      expect(yield* tenant.named("Brand New")).toHaveLength(1)
      expect(result.converged).toBe(true)
    }).pipe(Effect.provide(TenantDouble.stateDb())))

  it.effect("still not listed once the window has passed: reported missing, not sent again", () =>
    Effect.gen(function*() {
      const tenant = yield* laggingTenant(Number.POSITIVE_INFINITY, ["late"])
      const fiber = yield* passOf(tenant)
      yield* clockTo(fiber, 14_900)
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* clockTo(fiber, 20_000)
      const exit = yield* Fiber.await(fiber)
      expect(yield* tenant.sent).toBe(1)
      expect(String(exit)).toMatch(/1 org orgsync manages is missing from Code42's listing: Brand New \(uid-3\)/)
    }).pipe(Effect.provide(TenantDouble.stateDb())))

  it.effect("the next pass keeps the rule from the journal: it waits, and adopts the org once listed", () =>
    Effect.gen(function*() {
      const tenant = yield* laggingTenant(5000, ["late"])
      const first = yield* passOf(tenant)
      yield* clockTo(first, 2000)
      yield* Fiber.interrupt(first)
      const second = yield* passOf(tenant)
      yield* clockTo(second, 4900)
      expect(Option.isNone(yield* Fiber.poll(second))).toBe(true)
      yield* clockTo(second, 8000)
      const result = yield* Fiber.join(second)
      expect(yield* tenant.sent).toBe(1)
      expect({ converged: result.converged, errors: result.errors }).toEqual({ converged: true, errors: [] })
    }).pipe(Effect.provide(TenantDouble.stateDb())))
})
