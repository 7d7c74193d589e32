import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Either, Exit, Fiber, Scope, TestClock } from "effect"
import { Simulator } from "../src/index.js"
import { attempt, client, request, signIn, smallSeed } from "./support.js"

const start = (options: Simulator.Options = {}) => Simulator.start({ port: 0, seed: smallSeed, ...options })

/** Lets the server's fiber reach its sleep on the TestClock: waits on I/O turns, not on time. */
const untilServerSleeps = Effect.gen(function*() {
  while ((yield* TestClock.sleeps()).length === 0) {
    yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
  }
})

describe("latency", () => {
  it.scoped("holds every answer for latencyMs plus up to jitterMs", () =>
    Effect.gen(function*() {
      const sim = yield* start({ faults: { latencyMs: 2000, jitterMs: 1000 }, randomSeed: 3 })
      const pending = yield* Effect.fork(request(sim, "GET", "/api/v3/LoginConfiguration"))
      yield* untilServerSleeps
      yield* TestClock.adjust(Duration.millis(1999))
      expect(yield* Fiber.poll(pending)).toEqual(expect.objectContaining({ _tag: "None" }))
      yield* TestClock.adjust(Duration.millis(1001))
      const reply = yield* Fiber.join(pending)
      expect(reply.status).toBe(200)
    }))

  it.scoped("does not hold the simulator open when its scope closes", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const sim = yield* Scope.extend(start({ faults: { latencyMs: 60_000 } }), scope)
      const pending = yield* Effect.fork(attempt(sim, "GET", "/api/v3/LoginConfiguration"))
      yield* untilServerSleeps
      yield* Scope.close(scope, Exit.void)
      expect(Either.isLeft(yield* Effect.either(Fiber.join(pending)))).toBe(true)
    }))

  it.scoped("is not applied to the control endpoints", () =>
    Effect.gen(function*() {
      const sim = yield* start({ faults: { latencyMs: 60_000, faultRate: 1, resetRate: 1 } })
      const reply = yield* request(sim, "GET", "/__sim/orgs")
      expect(reply.body).toHaveLength(7)
      expect((yield* TestClock.sleeps()).length).toBe(0)
    }))
})

describe("rate limit", () => {
  it.scoped("lets a second's worth through, then answers 429 with Retry-After until tokens refill", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const token = yield* signIn(sim)
      sim.setFaults({ rateLimit: 2 })
      const call = request(sim, "GET", "/api/v1/Org", { token })
      expect([(yield* call).status, (yield* call).status]).toEqual([200, 200])
      const limited = yield* call
      expect(limited.status).toBe(429)
      expect(limited.headers.get("retry-after")).toBe("1")
      expect(limited.body[0].name).toBe("TOO_MANY_REQUESTS")
      yield* TestClock.adjust(Duration.millis(500))
      expect((yield* call).status).toBe(200)
      expect((yield* call).status).toBe(429)
      sim.setFaults({ rateLimit: 0 })
      expect((yield* call).status).toBe(200)
    }))

  it.scoped("rounds Retry-After up to whole seconds for slow rates", () =>
    Effect.gen(function*() {
      const sim = yield* start({ faults: { rateLimit: 0.25 } })
      expect((yield* request(sim, "GET", "/api/v3/LoginConfiguration")).status).toBe(200)
      const limited = yield* request(sim, "GET", "/api/v3/LoginConfiguration")
      expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "4"])
      yield* TestClock.adjust(Duration.seconds(4))
      expect((yield* request(sim, "GET", "/api/v3/LoginConfiguration")).status).toBe(200)
    }))
})

describe("random failures", () => {
  it.scoped("answer faultStatuses before the request is handled", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      sim.setFaults({ faultRate: 1, faultStatuses: [503] })
      const create = yield* api.send("POST", "/api/v1/Org", { orgName: "Never made" })
      expect([create.status, create.body[0].name]).toEqual([503, "SYSTEM"])
      expect(sim.orgs()).toHaveLength(7)
      sim.setFaults({ faultStatuses: [500, 502, 503, 504] })
      const statuses = new Set<number>()
      for (let i = 0; i < 40; i++) statuses.add((yield* api.get("/api/v1/Org")).status)
      expect([...statuses].sort()).toEqual([500, 502, 503, 504])
    }))

  it.scoped("hit about faultRate of the requests, the same ones for the same randomSeed", () =>
    Effect.gen(function*() {
      const run = Effect.gen(function*() {
        const sim = yield* start({ randomSeed: 11 })
        const token = yield* signIn(sim)
        sim.setFaults({ faultRate: 0.3 })
        const statuses: Array<number> = []
        for (let i = 0; i < 100; i++) statuses.push((yield* request(sim, "GET", "/api/v1/Org", { token })).status)
        return statuses
      })
      const first = yield* run
      const failed = first.filter((status) => status !== 200).length
      expect(failed).toBeGreaterThan(15)
      expect(failed).toBeLessThan(45)
      expect(yield* run).toEqual(first)
    }))
})

describe("dropped connections", () => {
  it.scoped("resetRate drops the connection before the request is handled", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      sim.clearRequests()
      sim.setFaults({ resetRate: 1 })
      const result = yield* Effect.either(attempt(sim, "POST", "/api/v1/Org", { token: api.token, body: { orgName: "Lost" } }))
      expect(Either.isLeft(result)).toBe(true)
      expect(sim.orgs()).toHaveLength(7)
      expect(sim.requests().map((entry) => [entry.method, entry.path, entry.status])).toEqual([["POST", "/api/v1/Org", 0]])
      sim.setFaults({ resetRate: 0 })
      expect((yield* api.get("/api/v1/Org")).status).toBe(200)
    }))

  it.scoped("lostResponseRate carries out writes but loses the answer, as a 500 or a dropped connection", () =>
    Effect.gen(function*() {
      const sim = yield* start({ randomSeed: 5 })
      const api = yield* client(sim)
      sim.setFaults({ lostResponseRate: 1 })
      const outcomes = new Set<string>()
      for (let i = 0; i < 16; i++) {
        const result = yield* Effect.either(
          attempt(sim, "POST", "/api/v1/Org", { token: api.token, body: { orgName: `Made ${i}` } })
        )
        outcomes.add(Either.isLeft(result) ? "dropped" : String(result.right.status))
      }
      expect([...outcomes].sort()).toEqual(["500", "dropped"])
      expect(sim.orgs().filter((org) => org.orgName.startsWith("Made "))).toHaveLength(16)
      // Reads are not writes: their answers arrive.
      expect((yield* api.get("/api/v1/Org")).status).toBe(200)
    }))

  it.scoped("emptyAnswerRate carries out writes and answers them 200 with an empty body; sign-ins keep theirs", () =>
    Effect.gen(function*() {
      const sim = yield* start({
        randomSeed: 5,
        users: [{ username: "admin", password: "secret" }],
        apiClients: [{ clientId: "key", secret: "s3cret" }]
      })
      const api = yield* client(sim)
      sim.setFaults({ emptyAnswerRate: 1, lostResponseRate: 0 })
      const made = yield* request(sim, "POST", "/api/v1/Org", { token: api.token, body: { orgName: "Quiet" } })
      expect([made.status, made.body]).toEqual([200, undefined])
      expect(sim.orgs().filter((org) => org.orgName === "Quiet")).toHaveLength(1)
      sim.setFaults({ emptyAnswerRate: 0, lostResponseRate: 1 })
      const basic = `Basic ${Buffer.from("key:s3cret").toString("base64")}`
      const token = yield* request(sim, "POST", "/v1/oauth", { headers: { authorization: basic } })
      expect(token.status).toBe(200)
      expect(typeof token.body.access_token).toBe("string")
    }))

  it.scoped("listingLagMs leaves an org made by a create out of every list until that long after it", () =>
    Effect.gen(function*() {
      const sim = yield* start({ faults: { listingLagMs: 5000 } })
      const api = yield* client(sim)
      const seeded = (yield* api.get("/api/v1/Org?pgSize=500")).body.data.totalCount
      // A listed org counts the child orgs the same listing shows.
      const topCount = Effect.map(api.get("/api/v3/orgs"), (reply) =>
        (reply.body.data?.orgs ?? reply.body.orgs ?? []).find((org: { parentOrgUid: string | null }) =>
          org.parentOrgUid === null
        )?.orgCount)
      const counted = yield* topCount
      expect(counted).toBeTypeOf("number")
      const made = yield* request(sim, "POST", "/api/v1/Org", { token: api.token, body: { orgName: "Lagging" } })
      expect(made.status).toBe(200)
      const names = (path: string) =>
        Effect.map(api.get(path), (reply) =>
          (reply.body.data?.orgs ?? reply.body.orgs ?? []).map((org: { orgName: string }) => org.orgName))
      expect(yield* names("/api/v1/Org?pgSize=500")).not.toContain("Lagging")
      expect(yield* names("/api/v1/Org?q=Lagging")).toEqual([])
      expect((yield* api.get("/api/v1/Org?pgSize=500")).body.data.totalCount).toBe(seeded)
      expect(yield* topCount).toBe(counted)
      // The org itself is there: read singly, it is found.
      const uid = made.body.data.orgUid
      expect((yield* api.get(`/api/v1/Org/${uid}?idType=orgUid`)).status).toBe(200)
      yield* TestClock.adjust(Duration.millis(5000))
      expect(yield* names("/api/v1/Org?pgSize=500")).toContain("Lagging")
      expect((yield* api.get("/api/v1/Org?pgSize=500")).body.data.totalCount).toBe(seeded + 1)
      expect(yield* topCount).toBe(counted + 1)
    }))
})

describe("fault settings", () => {
  it.scoped("are read and changed over POST /__sim/faults, which refuses bad values", () =>
    Effect.gen(function*() {
      const sim = yield* start({ faults: { latencyMs: 10 } })
      const changed = yield* request(sim, "POST", "/__sim/faults", { body: { faultRate: 0.5, faultStatuses: [502] } })
      expect(changed.status).toBe(200)
      expect(changed.body).toEqual({
        latencyMs: 10,
        jitterMs: 0,
        rateLimit: 0,
        faultRate: 0.5,
        faultStatuses: [502],
        resetRate: 0,
        lostResponseRate: 0,
        emptyAnswerRate: 0,
        maxPageSize: 0,
        totalCountOffset: 0,
        listingLagMs: 0
      })
      for (const body of [{ faultRate: 2 }, { latencyMs: -1 }, { faultStatuses: [] }, { faultStatuses: [200] }]) {
        const refused = yield* request(sim, "POST", "/__sim/faults", { body })
        expect([JSON.stringify(body), refused.status]).toEqual([JSON.stringify(body), 400])
      }
      expect((yield* request(sim, "GET", "/__sim/faults")).body.faultRate).toBe(0.5)
    }))

  it.scoped("are checked by start and setFaults; a key given as undefined changes nothing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(start({ faults: { resetRate: 1.5 } }))
      expect(error.message).toContain("Invalid faults")
      const sim = yield* start({ faults: { latencyMs: 5, jitterMs: undefined } })
      expect(() => sim.setFaults({ faultStatuses: [] })).toThrow(/Invalid faults/)
      sim.setFaults({ latencyMs: undefined, rateLimit: 3 })
      expect((yield* request(sim, "GET", "/__sim/faults")).body).toMatchObject({ latencyMs: 5, jitterMs: 0, rateLimit: 3 })
    }))
})
