/**
 * How long the client waits, and what it says while it does: a Retry-After over `maxRetryAfter` fails the call
 * at once, each retry is one info line (what, why, after how long), `callTimeout` bounds a call with all
 * its retries, and a call interrupted while it waits to be sent again (a daemon suspended) is sent no more. Time
 * moves through TestClock.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, HashMap, Logger, Redacted, TestClock } from "effect"
import type * as ClientConfig from "../src/ClientConfig.js"
import * as OrgClient from "../src/OrgClient.js"
import * as Fake from "./fake-code42.js"

const password = "retry-test-password"

const baseConfig: ClientConfig.ClientConfig = {
  url: "https://code42.example.com",
  auth: { _tag: "LocalAccount", username: "admin", password: Redacted.make(password) },
  api: "v1",
  rateLimit: { requestsPerSecond: 1000, burst: 1000 },
  retry: { times: 3, base: "100 millis", cap: "1 second" }
}

interface Line {
  readonly level: string
  readonly message: string
  readonly annotations: Record<string, unknown>
}

/** A client of a scripted server, and the log lines it writes. */
const setup = (handler: Fake.Handler, overrides: Partial<ClientConfig.ClientConfig> = {}) =>
  Effect.gen(function*() {
    const fake = yield* Fake.make(handler)
    const client = yield* OrgClient.make({ ...baseConfig, ...overrides }).pipe(Effect.provide(fake.layer), Effect.orDie)
    const lines: Array<Line> = []
    const logger = Logger.make<unknown, void>(({ annotations, logLevel, message }) => {
      lines.push({
        level: logLevel.label,
        message: (Array.isArray(message) ? message : [message]).join(" "),
        annotations: Object.fromEntries(HashMap.toEntries(annotations))
      })
    })
    /** Runs `effect` logging to `lines`, in the background while the test clock moves on. */
    const settle = <A, E>(effect: Effect.Effect<A, E>, by: Duration.DurationInput = "10 minutes") =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(Effect.timed(effect).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger))))
        yield* TestClock.adjust(by)
        return yield* Fiber.join(fiber)
      })
    return { client, received: fake.received, lines, settle }
  })

const orgReply = Fake.data(Fake.org(5))
const tooMany = (retryAfter: string) => Fake.error(429, "TOO_MANY_REQUESTS", "Slow down", { "retry-after": retryAfter })

describe("Retry-After", () => {
  it.scoped("a demand over maxRetryAfter (default 60 s) fails the call at once, naming it", () =>
    Effect.gen(function*() {
      const { client, received, settle } = yield* setup(Fake.script(tooMany("999999"), orgReply))
      const [took, error] = yield* settle(Effect.flip(client.getById(5)))
      expect(error).toMatchObject({ _tag: "RetryAfterTooLongError", operation: "getById", retryAfterSeconds: 999999 })
      expect(error.message).toContain("the server asked to wait 999999 s (over maxRetryAfter 60 s)")
      expect(Duration.toMillis(took)).toBe(0)
      // The client is not paused for the demand either.
      const [next] = yield* settle(client.getById(5), "1 second")
      expect(Duration.toMillis(next)).toBe(0)
      expect(Fake.calls(yield* received)).toHaveLength(2)
    }))

  it.scoped("maxRetryAfter is a setting: at 2 minutes, a demand of 90 s is honoured", () =>
    Effect.gen(function*() {
      const { client, received, settle } = yield* setup(Fake.script(tooMany("90"), orgReply), {
        maxRetryAfter: "2 minutes"
      })
      const [took, org] = yield* settle(client.getById(5))
      expect(org.orgId).toBe(5)
      expect(Duration.toMillis(took)).toBeGreaterThanOrEqual(90_000)
      expect(Fake.calls(yield* received)).toHaveLength(2)
    }))
})

describe("retry log lines", () => {
  it.scoped("one info line per retry: what is retried, why, and after how long", () =>
    Effect.gen(function*() {
      const { client, lines, settle } = yield* setup(
        Fake.script(Fake.error(503, "SYSTEM", "Maintenance"), tooMany("30"), orgReply)
      )
      yield* settle(client.getById(5))
      expect(lines.map((line) => line.level)).toEqual(["INFO", "INFO"])
      expect(lines[0]!.message).toMatch(/^retrying getById in \d+ms: getById: Code42 failed to handle the request \(503 SYSTEM: Maintenance\)/)
      expect(lines[0]!.annotations).toMatchObject({ operation: "getById", retry: "1 of 3", reason: "ServerError", status: 503 })
      expect(lines[1]!.message).toMatch(/^retrying getById in 30s: /)
      expect(lines[1]!.annotations).toMatchObject({ retry: "2 of 3", reason: "RateLimitedError", status: 429, waitMs: 30_000 })
      for (const line of lines) expect(JSON.stringify(line)).not.toContain(password)
    }))

  it.scoped("no line when nothing is retried", () =>
    Effect.gen(function*() {
      const { client, lines, settle } = yield* setup(Fake.script(orgReply))
      yield* settle(client.getById(5))
      expect(lines).toEqual([])
    }))
})

describe("a host that does not resolve", () => {
  it.scoped("fails at once, saying that the host cannot be resolved: no retry schedule for a mistyped address", () =>
    Effect.gen(function*() {
      const { client, lines, received, settle } = yield* setup(Fake.script(Fake.noSuchHost, orgReply))
      const [took, error] = yield* settle(Effect.flip(client.getById(5)))
      expect(error).toMatchObject({ _tag: "TransportError", operation: "getById" })
      expect(error.message).toContain("cannot resolve host code42.example.com")
      expect(Duration.toMillis(took)).toBe(0)
      expect(Fake.calls(yield* received)).toHaveLength(1)
      expect(lines).toEqual([])
    }))

  it.scoped("a resolver that fails for now (EAI_AGAIN) is retried, as any transient failure", () =>
    Effect.gen(function*() {
      const { client, lines, received, settle } = yield* setup(Fake.script(Fake.resolverFailed, orgReply))
      const [, org] = yield* settle(client.getById(5))
      expect(org.orgId).toBe(5)
      expect(Fake.calls(yield* received)).toHaveLength(2)
      expect(lines.map((line) => line.annotations.reason)).toEqual(["TransportError"])
    }))
})

describe("callTimeout", () => {
  const never = Fake.slow(24 * 60 * 60 * 1000, orgReply)

  it.scoped("a server that accepts and never answers: a read fails at callTimeout, retries included", () =>
    Effect.gen(function*() {
      const { client, settle } = yield* setup(Fake.script(never), { timeout: "30 seconds", callTimeout: "1 minute" })
      const [took, error] = yield* settle(Effect.flip(client.getById(5)))
      expect(Duration.toMillis(took)).toBe(60_000)
      expect(error).toMatchObject({ _tag: "TransportError", operation: "getById" })
      expect(error.message).toContain("no answer in 1m, retries included")
    }))

  it.scoped("a create cut by callTimeout is an unknown outcome", () =>
    Effect.gen(function*() {
      const { client, settle } = yield* setup(Fake.script(never), { timeout: "30 seconds", callTimeout: "10 seconds" })
      const [took, error] = yield* settle(Effect.flip(client.createOrg({ orgName: "Sales" })))
      expect(Duration.toMillis(took)).toBe(10_000)
      expect(error).toMatchObject({ _tag: "UnknownOutcomeError", operation: "createOrg" })
    }))

  it.scoped("defaults to 5 minutes", () =>
    Effect.gen(function*() {
      const { client, settle } = yield* setup(Fake.script(never), {
        timeout: "10 minutes",
        retry: { times: 0, base: "1 second", cap: "1 second" }
      })
      const [took] = yield* settle(Effect.flip(client.getById(5)), "1 hour")
      expect(Duration.toMillis(took)).toBe(5 * 60_000)
    }))
})

describe("interruption", () => {
  const failing = Fake.script(Fake.error(500, "SYSTEM", "The server failed to answer"))

  it.scoped("a write interrupted while it waits to be sent again is sent no more; left alone, it is retried", () =>
    Effect.gen(function*() {
      const { client, received } = yield* setup(failing)
      const cut = yield* Effect.fork(client.block(5))
      yield* TestClock.adjust("50 millis")
      expect(Fake.calls(yield* received)).toHaveLength(1)
      yield* Fiber.interrupt(cut)
      yield* TestClock.adjust("10 minutes")
      expect(Fake.calls(yield* received)).toHaveLength(1)

      const left = yield* Effect.fork(Effect.flip(client.block(5)))
      yield* TestClock.adjust("10 minutes")
      expect(yield* Fiber.join(left)).toMatchObject({ _tag: "ServerError" })
      expect(Fake.calls(yield* received)).toHaveLength(1 + 4)
    }))
})
