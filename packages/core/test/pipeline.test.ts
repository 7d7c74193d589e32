/**
 * The request pipeline against a scripted server, with time driven by TestClock: retries and their limits,
 * the no-resend rule for creates and updates, the client-wide Retry-After pause, the token bucket, bounded
 * concurrency and the token's life cycle.
 */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, Metric, Redacted, TestClock } from "effect"
import * as ClientConfig from "../src/ClientConfig.js"
import * as ClientMetrics from "../src/ClientMetrics.js"
import * as OrgClient from "../src/OrgClient.js"
import * as Fake from "./fake-code42.js"

const password = "correct-horse-battery"

const baseConfig: ClientConfig.ClientConfig = {
  url: "https://code42.example.com",
  auth: { _tag: "LocalAccount", username: "admin", password: Redacted.make(password) },
  api: "v1",
  rateLimit: { requestsPerSecond: 1000, burst: 1000 },
  timeout: "2 seconds",
  retry: { times: 3, base: "100 millis", cap: "1 second" }
}

const setup = (
  handler: Fake.Handler,
  overrides: Partial<ClientConfig.ClientConfig> = {},
  options: Fake.SignInOptions = {}
) =>
  Effect.gen(function*() {
    const fake = yield* Fake.make(handler, options)
    const client = yield* OrgClient.make({ ...baseConfig, ...overrides }).pipe(Effect.provide(fake.layer), Effect.orDie)
    return { client, received: fake.received }
  })

/** Runs `effect` in the background while the test clock moves on. */
const settle = <A, E>(effect: Effect.Effect<A, E>, by: Duration.DurationInput = "10 minutes") =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust(by)
    return yield* Fiber.join(fiber)
  })

const counter = (metric: Metric.Metric.Counter<number>) => Effect.map(Metric.value(metric), (state) => state.count)

const orgReply = Fake.data(Fake.org(5))

const transient: ReadonlyArray<[string, Fake.Reply | Effect.Effect<Fake.Reply>]> = [
  ["408", Fake.answer(408)],
  ["429", Fake.error(429, "TOO_MANY_REQUESTS", "Slow down")],
  ["500", Fake.error(500, "SYSTEM", "Internal error")],
  ["502", Fake.answer(502, "<html>Bad gateway</html>")],
  ["503", Fake.answer(503)],
  ["504", Fake.answer(504)],
  ["connection refused", Fake.refused],
  ["connection reset", Fake.reset],
  ["timeout", Fake.slow(60_000, orgReply)]
]

describe("reads", () => {
  for (const [name, failure] of transient) {
    it.scoped(`retry after ${name}`, () =>
      Effect.gen(function*() {
        const { client, received } = yield* setup(Fake.script(failure, failure, orgReply))
        const retries = yield* counter(ClientMetrics.retriesTotal)
        const org = yield* settle(client.getById(5))
        expect(org.orgId).toBe(5)
        expect(Fake.calls(yield* received).map((r) => r.path)).toEqual(Array(3).fill("/api/v1/Org/5"))
        expect((yield* counter(ClientMetrics.retriesTotal)) - retries).toBe(2)
      }))
  }

  it.scoped("give up after the configured retries, with the last error", () =>
    Effect.gen(function*() {
      const { client, received } = yield* setup(Fake.script(Fake.error(503, "SYSTEM", "Maintenance")))
      const error = yield* settle(Effect.flip(client.getById(5)))
      expect(error._tag).toBe("ServerError")
      expect(error).toMatchObject({
        operation: "getById",
        status: 503,
        errorName: "SYSTEM",
        description: "Maintenance"
      })
      expect(Fake.calls(yield* received)).toHaveLength(4)
    }))

  it.scoped("a connection that never opens ends as a TransportError", () =>
    Effect.gen(function*() {
      const { client } = yield* setup(Fake.script(Fake.refused))
      const error = yield* settle(Effect.flip(client.getCurrent()))
      expect(error._tag).toBe("TransportError")
      expect(error.message).toContain("ECONNREFUSED")
    }))

  it.scoped("back off exponentially, capped", () =>
    Effect.gen(function*() {
      const { client, received } = yield* setup(Fake.script(Fake.answer(503)), {
        retry: { times: 6, base: "1 second", cap: "3 seconds" }
      })
      yield* settle(Effect.flip(client.getById(5)))
      const times = Fake.calls(yield* received).map((r) => r.at)
      const gaps = times.slice(1).map((t, i) => t - times[i]!)
      // 1 s, 2 s, then 4 s and more capped at 3 s; each within the jitter of 0.8x-1.2x (before the cap).
      expect(gaps[0]).toBeGreaterThanOrEqual(800)
      expect(gaps[0]).toBeLessThanOrEqual(1200)
      expect(gaps[1]).toBeGreaterThanOrEqual(1600)
      expect(gaps[1]).toBeLessThanOrEqual(2400)
      for (const gap of gaps.slice(2)) expect(gap).toBeCloseTo(3000, 3)
    }))

  for (
    const [status, name, description, tag] of [
      [400, "SYSTEM", "Bad parameter", "BadRequestError"],
      [400, "SYSTEM", "Organization was not found", "NotFoundError"],
      [403, "FORBIDDEN", "No permission", "ForbiddenError"],
      [404, "NOT_FOUND", "No such org", "NotFoundError"],
      [409, "CONFLICT", "Changed meanwhile", "ConflictError"]
    ] as const
  ) {
    it.scoped(`do not retry ${status} ${description}: ${tag}`, () =>
      Effect.gen(function*() {
        const { client, received } = yield* setup(Fake.script(Fake.error(status, name, description)))
        const error = yield* settle(Effect.flip(client.getById(5)))
        expect(error._tag).toBe(tag)
        expect(error).toMatchObject({ operation: "getById", status, errorName: name, description })
        expect(error.message).toContain(description)
        expect(Fake.calls(yield* received)).toHaveLength(1)
      }))
  }

  it.scoped("an answer of the wrong shape is a DecodeError; unknown fields are ignored", () =>
    Effect.gen(function*() {
      const { client } = yield* setup(Fake.script(
        Fake.data(Fake.org(5, { futureFlag: 1 })),
        Fake.data({ orgId: "five" }),
        Fake.answer(200, "<html>")
      ))
      expect((yield* settle(client.getById(5))).orgName).toBe("Org 5")
      const shape = yield* settle(Effect.flip(client.getById(5)))
      expect(shape).toMatchObject({ _tag: "DecodeError", operation: "getById", status: 200 })
      expect(shape.message).toContain("orgId")
      expect(yield* settle(Effect.flip(client.getById(5)))).toMatchObject({
        _tag: "DecodeError",
        reason: "the answer is not JSON"
      })
    }))
})

describe("creates and updates", () => {
  const unknown: ReadonlyArray<[string, Fake.Reply | Effect.Effect<Fake.Reply>]> = [
    ["500", Fake.error(500, "SYSTEM", "Internal error")],
    ["502", Fake.answer(502)],
    ["503", Fake.answer(503)],
    ["504", Fake.answer(504)],
    ["408", Fake.answer(408)],
    ["a reset connection", Fake.reset],
    ["a timeout", Fake.slow(60_000, Fake.data(Fake.org(9)))]
  ]
  for (const [name, failure] of unknown) {
    it.scoped(`a create answered by ${name} is not re-sent: UnknownOutcomeError`, () =>
      Effect.gen(function*() {
        const { client, received } = yield* setup(Fake.script(failure, Fake.data(Fake.org(9))))
        const error = yield* settle(Effect.flip(client.createOrg({ orgName: "Engineering" })))
        expect(error._tag).toBe("UnknownOutcomeError")
        expect(error.operation).toBe("createOrg")
        expect(error.message).toContain("re-read")
        expect(Fake.calls(yield* received).map((r) => r.method)).toEqual(["POST"])
      }))
  }

  it.scoped("a rule code wins over the status, also as 500: OrgRuleError", () =>
    Effect.gen(function*() {
      const { client, received } = yield* setup(Fake.script(
        Fake.error(500, "ORG_NAME_TOO_SHORT", "Name too short"),
        Fake.error(409, "ORG_DUPLICATE", "Duplicate")
      ))
      const short = yield* settle(Effect.flip(client.createOrg({ orgName: "E" })))
      expect(short).toMatchObject({ _tag: "OrgRuleError", code: "ORG_NAME_TOO_SHORT", status: 500 })
      const duplicate = yield* settle(Effect.flip(client.createOrg({ orgName: "Engineering" })))
      expect(duplicate).toMatchObject({ _tag: "OrgRuleError", code: "ORG_DUPLICATE", status: 409 })
      expect(Fake.calls(yield* received)).toHaveLength(2)
    }))

  it.scoped("a create refused before it was sent (429, connection refused) is sent again", () =>
    Effect.gen(function*() {
      const { client, received } = yield* setup(Fake.script(
        Fake.error(429, "TOO_MANY_REQUESTS", "Slow down"),
        Fake.refused,
        Fake.data(Fake.org(9, { orgName: "Engineering" }))
      ))
      const org = yield* settle(client.createOrg({ orgName: "Engineering", orgExtRef: "ENG-1" }))
      expect(org.orgName).toBe("Engineering")
      const posts = Fake.calls(yield* received)
      expect(posts.map((r) => `${r.method} ${r.path}`)).toEqual(Array(3).fill("POST /api/v1/Org/"))
      expect(posts[0]!.body).toEqual({ orgName: "Engineering", orgExtRef: "ENG-1" })
    }))

  it.scoped("a v3 update whose connection resets is not re-sent", () =>
    Effect.gen(function*() {
      const { client, received } = yield* setup(
        (r) => Effect.succeed(r.method === "GET" ? Fake.data(Fake.org(7)) : Fake.reset),
        { api: "v3" }
      )
      const error = yield* settle(Effect.flip(client.updateOrg(7, { orgName: "Platform" })))
      expect(error).toMatchObject({ _tag: "UnknownOutcomeError", operation: "updateOrg" })
      expect(Fake.calls(yield* received).map((r) => `${r.method} ${r.path}`)).toEqual([
        "GET /api/v1/Org/7",
        "PUT /api/v3/orgs/guid-7"
      ])
    }))

  it.scoped("the state actions are idempotent, so they are retried", () =>
    Effect.gen(function*() {
      const { client, received } = yield* setup(
        Fake.script(Fake.answer(503), Fake.reset, Fake.slow(60_000, Fake.answer(204)), Fake.answer(204))
      )
      yield* settle(client.deactivate(7))
      expect(Fake.calls(yield* received).map((r) => `${r.method} ${r.path}`)).toEqual(
        Array(4).fill("PUT /api/v1/OrgDeactivation/7")
      )
    }))
})

describe("Retry-After", () => {
  it.scoped("pauses every request of the client until it has passed", () =>
    Effect.gen(function*() {
      let limited = false
      const { client, received } = yield* setup((r) =>
        Effect.succeed(
          r.path === "/api/v1/Org/1" && !limited
            ? (limited = true, Fake.error(429, "TOO_MANY_REQUESTS", "Slow down", { "retry-after": "5" }))
            : Fake.data(Fake.org(Number(r.path.split("/").at(-1))))
        )
      )
      const waits = yield* counter(ClientMetrics.rateLimitWaitsTotal)
      const first = yield* Effect.fork(client.getById(1))
      yield* TestClock.adjust("1 second")
      const second = yield* Effect.fork(client.getById(2))
      yield* TestClock.adjust("1 minute")
      expect((yield* Fiber.join(first)).orgId).toBe(1)
      expect((yield* Fiber.join(second)).orgId).toBe(2)
      // Both wait for the pause; which of them goes first then does not matter.
      // Rounded: the back-off before the retry is jittered to fractions of a millisecond.
      const calls = Fake.calls(yield* received).map((r) => [r.path, Math.round(r.at)] as const)
      expect(calls.sort(([a, x], [b, y]) => x - y || a.localeCompare(b))).toEqual([
        ["/api/v1/Org/1", 0],
        ["/api/v1/Org/1", 5000],
        ["/api/v1/Org/2", 5000]
      ])
      expect((yield* counter(ClientMetrics.rateLimitWaitsTotal)) - waits).toBe(2)
    }))

  it.scoped("an HTTP date is honoured too", () =>
    Effect.gen(function*() {
      const { client, received } = yield* setup(Fake.script(
        Fake.answer(429, "", { "retry-after": new Date(8_000).toUTCString() }),
        orgReply
      ))
      yield* settle(client.getById(5))
      expect(Fake.calls(yield* received).map((r) => Math.round(r.at))).toEqual([0, 8000])
    }))
})

describe("rate limiting and concurrency", () => {
  it.scoped("the token bucket lets a burst through, then paces at the rate", () =>
    Effect.gen(function*() {
      // A burst of 4 with 2 requests in flight at most: a bucket of 2.
      const { client, received } = yield* setup(() => Effect.succeed(orgReply), {
        rateLimit: { requestsPerSecond: 2, burst: 4 },
        concurrency: 2
      })
      const waits = yield* counter(ClientMetrics.rateLimitWaitsTotal)
      yield* settle(Effect.all(Array.from({ length: 6 }, () => client.getById(5)), { concurrency: "unbounded" }))
      // The sign-in takes the first token.
      expect((yield* received).map((r) => r.at)).toEqual([0, 0, 500, 1000, 1500, 2000, 2500])
      expect((yield* counter(ClientMetrics.rateLimitWaitsTotal)) - waits).toBe(5)
    }))

  it.scoped("after a 429 the whole client goes slower than its configured rate", () =>
    Effect.gen(function*() {
      let answered = 0
      const { client, received } = yield* setup(
        () =>
          Effect.succeed(
            ++answered === 6 ? Fake.error(429, "TOO_MANY_REQUESTS", "Slow down", { "retry-after": "1" }) : orgReply
          ),
        // A bucket of 10: the burst less the 8 requests that may be in flight.
        { rateLimit: { requestsPerSecond: 10, burst: 18 }, concurrency: 8 }
      )
      yield* settle(Effect.forEach(Array.from({ length: 20 }), () => client.getById(5)))
      const at = Fake.calls(yield* received).map((r) => Math.round(r.at))
      // Five answered and the sixth refused at once; the rest waits for the Retry-After second, then goes at
      // 0.85 × 6/s (the sign-in and five calls were answered in the second before the 429): a burst of 5, then
      // one every 196 ms instead of every 100...
      expect(at.slice(0, 6)).toEqual(Array(6).fill(0))
      expect(at.slice(6, 11)).toEqual(Array(5).fill(1000))
      expect(at.slice(11, 16)).toEqual([1196, 1392, 1588, 1784, 1980])
      // ...and after a second of answers, one step faster: 6.1/s, one every 164 ms (the first a little sooner:
      // the bucket holds a token more at the higher rate).
      expect(at.slice(16)).toEqual([2176, 2337, 2501, 2665, 2829])
    }))

  it.scoped("no more requests in flight than the concurrency", () =>
    Effect.gen(function*() {
      let inFlight = 0
      let most = 0
      const { client, received } = yield* setup(
        () =>
          Effect.sync(() => {
            most = Math.max(most, ++inFlight)
          }).pipe(
            Effect.zipRight(Effect.sleep(1000)),
            Effect.ensuring(Effect.sync(() => inFlight--)),
            Effect.as(orgReply)
          ),
        { concurrency: 2 }
      )
      yield* settle(Effect.all(Array.from({ length: 6 }, () => client.getById(5)), { concurrency: "unbounded" }))
      expect(most).toBe(2)
      expect(Fake.calls(yield* received).map((r) => r.at)).toEqual([0, 0, 1000, 1000, 2000, 2000])
    }))

  it.scoped("a request takes its turn of the rate once it may be sent, so that requests kept waiting by the concurrency do not leave together", () =>
    Effect.gen(function*() {
      let answered = 0
      const { client, received } = yield* setup(
        () => ++answered === 1 ? Fake.slow(5000, orgReply) : Effect.succeed(orgReply),
        // A bucket of one token beside the one request in flight.
        { concurrency: 1, rateLimit: { requestsPerSecond: 1, burst: 2 }, timeout: "10 seconds" }
      )
      yield* settle(Effect.all(Array.from({ length: 4 }, () => client.getById(5)), { concurrency: "unbounded" }))
      // The sign-in takes the first turn; the first call is answered after 5 s. Turns taken while waiting for
      // it would send the next three at once when it is answered, faster than the rate the server keeps.
      expect(Fake.calls(yield* received).map((r) => r.at)).toEqual([1000, 6000, 7000, 8000])
    }))

  it.scoped("a server keeping the client's own rate and burst never answers 429, however long the way", () =>
    Effect.gen(function*() {
      // The server: a token bucket of the client's burst, refilled at its rate. The first requests take 100 ms
      // to reach it (it stays full meanwhile, so the tokens it would gain are lost); the rest reach it at once.
      const rateLimit = { requestsPerSecond: 100, burst: 100 }
      let tokens = rateLimit.burst
      let refilledAt = 0
      let refused = 0
      let sent = 0
      const { client } = yield* setup(() =>
        Effect.gen(function*() {
          yield* Effect.sleep(++sent <= 8 ? "100 millis" : "1 millis")
          const now = yield* Clock.currentTimeMillis
          tokens = Math.min(rateLimit.burst, tokens + ((now - refilledAt) / 1000) * rateLimit.requestsPerSecond)
          refilledAt = now
          const admitted = tokens >= 1
          if (admitted) tokens -= 1
          else refused++
          return admitted ? orgReply : Fake.error(429, "TOO_MANY_REQUESTS", "Slow down", { "retry-after": "1" })
        }), { rateLimit, concurrency: 8 })
      // A quiet second, so that both buckets are full, then more requests than the burst.
      yield* TestClock.adjust("1 second")
      yield* settle(Effect.all(Array.from({ length: 400 }, () => client.getById(5)), { concurrency: "unbounded" }))
      expect(refused).toBe(0)
    }))

  it.scoped("a burst no larger than the concurrency still leaves a server keeping the same rate room for early arrivals", () =>
    Effect.gen(function*() {
      // The server: a bucket of one token, refilled at one a second. Every other request reaches it 30 ms later
      // than the one before it did.
      let tokens = 1
      let refilledAt = 0
      let refused = 0
      let sent = 0
      const { client } = yield* setup(() =>
        Effect.gen(function*() {
          yield* Effect.sleep(++sent % 2 === 0 ? "0 millis" : "30 millis")
          const now = yield* Clock.currentTimeMillis
          tokens = Math.min(1, tokens + (now - refilledAt) / 1000)
          refilledAt = now
          const admitted = tokens >= 1
          if (admitted) tokens -= 1
          else refused++
          return admitted ? orgReply : Fake.error(429, "TOO_MANY_REQUESTS", "Slow down", { "retry-after": "1" })
        }), { rateLimit: { requestsPerSecond: 1, burst: 1 }, concurrency: 4 })
      yield* TestClock.adjust("1 second")
      yield* settle(Effect.all(Array.from({ length: 10 }, () => client.getById(5)), { concurrency: "unbounded" }))
      expect(refused).toBe(0)
    }))

  it.scoped("every exchange is counted by method and status", () =>
    Effect.gen(function*() {
      const { client } = yield* setup(Fake.script(Fake.answer(503), Fake.reset, orgReply))
      const tagged = (status: string) =>
        counter(Metric.tagged(Metric.tagged(ClientMetrics.requestsTotal, "method", "GET"), "status", status))
      const before = [yield* tagged("503"), yield* tagged("error"), yield* tagged("200")]
      yield* settle(client.getById(5))
      // The 200s include the sign-in.
      const after = [yield* tagged("503"), yield* tagged("error"), yield* tagged("200")]
      expect(after.map((count, i) => count - before[i]!)).toEqual([1, 1, 2])
    }))
})

describe("tokens", () => {
  it.scoped("a 401 drops the token, signs in again and retries once", () =>
    Effect.gen(function*() {
      const { client, received } = yield* setup((r) =>
        Effect.succeed(
          r.headers.authorization === "Bearer token-1"
            ? Fake.error(401, "SYSTEM", "Invalid or missing credentials")
            : orgReply
        )
      )
      expect((yield* settle(client.getById(5))).orgId).toBe(5)
      const log = yield* received
      expect(Fake.signIns(log)).toHaveLength(2)
      expect(Fake.calls(log).map((r) => r.headers.authorization)).toEqual(["Bearer token-1", "Bearer token-2"])
    }))

  it.scoped("a second 401 is an UnauthorizedError that shows no secret", () =>
    Effect.gen(function*() {
      const { client, received } = yield* setup(
        Fake.script(Fake.error(401, "SYSTEM", "Invalid or missing credentials"))
      )
      const error = yield* settle(Effect.flip(client.getById(5)))
      expect(error).toMatchObject({ _tag: "UnauthorizedError", status: 401, operation: "getById" })
      for (const text of [error.message, String(error), JSON.stringify(error)]) {
        expect(text).not.toContain(password)
        expect(text).not.toContain("token-")
      }
      const log = yield* received
      expect(Fake.signIns(log)).toHaveLength(2)
      expect(Fake.calls(log)).toHaveLength(2)
    }))

  it.scoped("a refused sign-in is an UnauthorizedError of signIn, not retried", () =>
    Effect.gen(function*() {
      const { client, received } = yield* setup(() => Effect.succeed(orgReply), {}, { rejectSignIn: true })
      const error = yield* settle(Effect.flip(client.getById(5)))
      expect(error).toMatchObject({ _tag: "UnauthorizedError", operation: "signIn", status: 401 })
      expect(error.message).not.toContain(password)
      const log = yield* received
      expect(Fake.signIns(log)).toHaveLength(1)
      expect(Fake.calls(log)).toHaveLength(0)
    }))

  it.scoped("API-client tokens are fetched again shortly before they expire", () =>
    Effect.gen(function*() {
      const { client, received } = yield* setup(() => Effect.succeed(orgReply), {
        auth: { _tag: "ApiClient", clientId: "key-1", secret: Redacted.make("s3cret") }
      }, { expiresIn: 100 })
      yield* settle(client.getById(5), "0 millis")
      yield* TestClock.adjust("89 seconds")
      yield* settle(client.getById(5), "0 millis")
      yield* TestClock.adjust("2 seconds")
      yield* settle(client.getById(5), "0 millis")
      const log = yield* received
      const signIns = Fake.signIns(log)
      expect(signIns.map((r) => [r.method, r.path, r.params.get("grant_type"), r.at])).toEqual([
        ["POST", "/api/v3/oauth/token", "client_credentials", 0],
        ["POST", "/api/v3/oauth/token", "client_credentials", 91_000]
      ])
      expect(signIns[0]!.headers.authorization).toBe(`Basic ${Buffer.from("key-1:s3cret").toString("base64")}`)
      expect(Fake.calls(log).map((r) => r.headers.authorization)).toEqual([
        "Bearer token-1",
        "Bearer token-1",
        "Bearer token-2"
      ])
    }))

  it.scoped("concurrent calls share one sign-in; the two-factor code is asked for on each sign-in", () =>
    Effect.gen(function*() {
      let codes = 0
      const { client, received } = yield* setup((r) =>
        Effect.succeed(
          r.headers.authorization === "Bearer token-1" && r.path === "/api/v1/Org/9"
            ? Fake.error(401, "SYSTEM", "Invalid or missing credentials")
            : orgReply
        ), {
        auth: {
          _tag: "LocalAccount",
          username: "admin",
          password: Redacted.make(password),
          totp: Effect.sync(() => Redacted.make(String(123456 + codes++)))
        }
      })
      yield* settle(Effect.all(Array.from({ length: 5 }, () => client.getById(5)), { concurrency: "unbounded" }))
      yield* settle(client.getById(9))
      const signIns = Fake.signIns(yield* received)
      expect(signIns.map((r) => [r.method, r.params.get("useBody"), r.headers["totp-auth"]])).toEqual([
        ["GET", "true", "123456"],
        ["GET", "true", "123457"]
      ])
      expect(signIns[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`admin:${password}`).toString("base64")}`)
    }))
})
