/**
 * Notifications with a receiver as a test double (an HttpClient layer) and the test clock: retried with
 * back-off until delivered, given up and counted, never waited for by the caller, and a webhook's secret path
 * never logged.
 */
import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Logger, Metric, Option, Redacted, Ref, Schedule, TestClock } from "effect"
import * as Notify from "../../src/Notify.js"

const secretUrl = "https://hooks.example.com/services/T000/B000/s3cr3tT0ken"

/** A receiver answering each try with the next status of `script` (the last one repeats); `hang` never answers. */
const receiver = (script: ReadonlyArray<number | "hang" | "refuse">) =>
  Effect.gen(function*() {
    const tries = yield* Ref.make<ReadonlyArray<unknown>>([])
    const client = HttpClient.make((request) =>
      Effect.gen(function*() {
        const n = (yield* Ref.get(tries)).length
        const body = request.body._tag === "Uint8Array" ? JSON.parse(new TextDecoder().decode(request.body.body)) : undefined
        yield* Ref.update(tries, (list) => [...list, body])
        const answer = script[Math.min(n, script.length - 1)]!
        if (answer === "hang") return yield* Effect.never
        if (answer === "refuse") {
          return yield* new HttpClientError.RequestError({ request, reason: "Transport", description: `connect ECONNREFUSED ${request.url}` })
        }
        return HttpClientResponse.fromWeb(request, new Response("ok", { status: answer }))
      })
    )
    return { tries, layer: Layer.succeed(HttpClient.HttpClient, client) }
  })

const logged = Effect.gen(function*() {
  const lines = yield* Ref.make<ReadonlyArray<string>>([])
  const logger = Logger.make(({ annotations, message }) => {
    Effect.runSync(Ref.update(lines, (list) => [...list, `${String(message)} ${JSON.stringify([...annotations])}`]))
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
})

const notice: Notify.Notice = { event: "drift", text: "orgsync: drift found", details: { drift: [] } }

const counter = (metric: typeof Notify.failuresTotal) => Effect.map(Metric.value(metric), (state) => state.count)

describe("Notify", () => {
  it.scoped("retries a failing receiver with back-off until it takes the notification", () =>
    Effect.gen(function*() {
      const { layer, tries } = yield* receiver([500, "refuse", 204])
      const log = yield* logged
      const retriesBefore = yield* counter(Notify.retriesTotal)
      const failuresBefore = yield* counter(Notify.failuresTotal)
      const notify = yield* Notify.make({
        urls: [Redacted.make(secretUrl)],
        tenant: "https://console.us.code42.com",
        retry: Schedule.exponential("1 second").pipe(Schedule.intersect(Schedule.recurs(5)))
      }).pipe(Effect.provide(layer))
      yield* notify.notify(notice).pipe(Effect.provide(log.layer))
      yield* TestClock.adjust("100 millis")
      expect(yield* Ref.get(tries)).toHaveLength(1)
      yield* TestClock.adjust("1 second")
      expect(yield* Ref.get(tries)).toHaveLength(2)
      yield* TestClock.adjust("2 seconds")
      const sent = yield* Ref.get(tries)
      expect(sent).toHaveLength(3)
      expect(sent[2]).toMatchObject({
        event: "drift",
        text: "orgsync: drift found",
        tenant: "https://console.us.code42.com",
        details: { drift: [] }
      })
      expect(typeof (sent[2] as { at: unknown }).at).toBe("string")
      yield* TestClock.adjust("1 minute")
      expect(yield* Ref.get(tries)).toHaveLength(3)
      expect((yield* counter(Notify.retriesTotal)) - retriesBefore).toBe(2)
      expect((yield* counter(Notify.failuresTotal)) - failuresBefore).toBe(0)
    }))

  it.scoped("gives up after the retries, counts the failure, and logs the receiver's origin only", () =>
    Effect.gen(function*() {
      const { layer, tries } = yield* receiver(["refuse"])
      const log = yield* logged
      const failuresBefore = yield* counter(Notify.failuresTotal)
      const retriesBefore = yield* counter(Notify.retriesTotal)
      const notify = yield* Notify.make({
        urls: [Redacted.make(secretUrl)],
        tenant: "t",
        retry: Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(2)))
      }).pipe(Effect.provide(layer), Effect.provide(log.layer))
      yield* notify.notify(notice)
      yield* TestClock.adjust("10 seconds")
      expect(yield* Ref.get(tries)).toHaveLength(3)
      expect((yield* counter(Notify.failuresTotal)) - failuresBefore).toBe(1)
      // 3 tries: the first and 2 retries.
      expect((yield* counter(Notify.retriesTotal)) - retriesBefore).toBe(2)
      const lines = yield* Ref.get(log.lines)
      expect(lines.some((line) => line.includes("notification to https://hooks.example.com not delivered"))).toBe(true)
      expect(lines.join("\n")).not.toContain("s3cr3t")
      expect(lines.join("\n")).not.toContain("/services/")
    }))

  it.scoped("a receiver that never answers neither blocks the caller nor the other receivers; a full queue drops", () =>
    Effect.gen(function*() {
      const dead = yield* receiver(["hang"])
      const alive = yield* receiver([200])
      const failuresBefore = yield* counter(Notify.failuresTotal)
      const [deadClient, aliveClient] = yield* Effect.all([
        HttpClient.HttpClient.pipe(Effect.provide(dead.layer)),
        HttpClient.HttpClient.pipe(Effect.provide(alive.layer))
      ])
      const client = HttpClient.make((request, url) =>
        (url.hostname === "dead.example" ? deadClient : aliveClient).execute(request)
      )
      const notify = yield* Notify.make({
        urls: [Redacted.make("https://dead.example/hook"), Redacted.make("https://alive.example/hook")],
        tenant: "t",
        queueSize: 2,
        timeout: "1 hour",
        retry: Schedule.recurs(0)
      }).pipe(Effect.provide(Layer.succeed(HttpClient.HttpClient, client)))
      yield* notify.notify(notice)
      yield* TestClock.adjust("10 millis")
      expect(yield* Ref.get(dead.tries)).toHaveLength(1)
      // Four more while the dead receiver hangs on the first: the caller never waits; two wait, two are dropped.
      for (let n = 2; n <= 5; n++) {
        const sending = yield* Effect.fork(notify.notify(notice))
        yield* TestClock.adjust("1 millis")
        expect(Option.isSome(yield* Fiber.poll(sending)), `notice ${n}`).toBe(true)
      }
      expect(yield* Ref.get(alive.tries)).toHaveLength(5)
      expect(yield* Ref.get(dead.tries)).toHaveLength(1)
      expect((yield* counter(Notify.failuresTotal)) - failuresBefore).toBe(2)
    }))

  it("logs a webhook by its origin only and checks that it is an http(s) URL", () => {
    expect(Notify.receiverName(Redacted.make("https://user:pw@hooks.slack.com/services/A/B/C?token=x"))).toBe(
      "https://hooks.slack.com"
    )
    expect(Notify.validateUrl("https://hooks.slack.com/services/A")).toBeUndefined()
    expect(Notify.validateUrl("ftp://x/y")).toContain("http or https")
    expect(Notify.validateUrl("hooks.slack.com/x")).toContain("absolute")
  })

  it.effect("the notify setting's URLs are checked and made secret; a bad one is named by its place, never its text", () =>
    Effect.gen(function*() {
      const urls = yield* Notify.webhooks(["https://hooks.example.com/a", "http://127.0.0.1:9/b"])
      expect(urls.map(Redacted.value)).toEqual(["https://hooks.example.com/a", "http://127.0.0.1:9/b"])
      expect(String(urls[0])).not.toContain("hooks.example.com")
      const bad = yield* Effect.flip(Notify.webhooks(["https://ok.example/x", "ftp://user:s3cret@files.example/x"]))
      expect(bad.message).toBe("notify (URL 2): a notify URL must be http or https, not ftp:")
    }))
})
