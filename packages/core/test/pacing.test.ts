/**
 * The client's adaptive rate, with time driven by TestClock: a 429 lowers it (once per overload), answers
 * raise it a step per second, between a floor and the configured rate, and requests are paced at it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, Metric, TestClock } from "effect"
import * as ClientMetrics from "../src/ClientMetrics.js"
import * as Pacing from "../src/internal/pacing.js"

const rateLimit = { requestsPerSecond: 200, burst: 200 }

/** Sends `count` requests, each answered at once, spread evenly over the next second. */
const answeredOverASecond = (pacing: Pacing.Pacing, count: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < count; i++) {
      yield* TestClock.adjust(Duration.millis(1000 / count))
      yield* pacing.accepted(yield* Clock.currentTimeMillis)
    }
  })

describe("adaptive rate", () => {
  it.effect("starts at the configured rate and a 429 lowers it to a fraction of what the server accepted (and the gauge)", () =>
    Effect.gen(function*() {
      const pacing = yield* Pacing.make(rateLimit, 0)
      expect(yield* pacing.rate).toBe(200)
      yield* answeredOverASecond(pacing, 60)
      yield* pacing.throttled(yield* Clock.currentTimeMillis)
      expect(yield* pacing.rate).toBeCloseTo(Pacing.decrease * 60)
      expect((yield* Metric.value(ClientMetrics.rateLimit)).value).toBeCloseTo(Pacing.decrease * 60)
    }))

  it.effect("a 429 to a request sent before the last decrease does not lower the rate again", () =>
    Effect.gen(function*() {
      const pacing = yield* Pacing.make(rateLimit, 0)
      yield* answeredOverASecond(pacing, 100)
      const sentAt = (yield* Clock.currentTimeMillis) - 10
      yield* pacing.throttled(sentAt)
      const lowered = yield* pacing.rate
      expect(lowered).toBeCloseTo(Pacing.decrease * 100)
      yield* pacing.throttled(sentAt)
      yield* TestClock.adjust("5 millis")
      yield* pacing.throttled(sentAt + 5)
      expect(yield* pacing.rate).toBe(lowered)
      // Sent after it: a new overload.
      yield* TestClock.adjust("5 millis")
      yield* pacing.throttled(yield* Clock.currentTimeMillis)
      expect(yield* pacing.rate).toBeLessThan(lowered)
    }))

  it.effect("never below the floor, however many 429s", () =>
    Effect.gen(function*() {
      const pacing = yield* Pacing.make(rateLimit, 0)
      for (let i = 0; i < 40; i++) {
        yield* TestClock.adjust("10 millis")
        yield* pacing.throttled(yield* Clock.currentTimeMillis)
      }
      expect(Pacing.floorOf(rateLimit)).toBe(20)
      expect(yield* pacing.rate).toBe(20)
    }))

  it.effect("recovers by one step per second of answers, and only while answers come", () =>
    Effect.gen(function*() {
      const pacing = yield* Pacing.make(rateLimit, 0)
      yield* answeredOverASecond(pacing, 50)
      yield* pacing.throttled(yield* Clock.currentTimeMillis)
      const lowered = yield* pacing.rate
      const rates: Array<number> = []
      for (let second = 0; second < 5; second++) {
        yield* answeredOverASecond(pacing, 40)
        rates.push(yield* pacing.rate)
      }
      expect(rates).toEqual([1, 2, 3, 4, 5].map((n) => lowered + n * Pacing.increaseStep))
      // A quiet minute is not a minute of success: one answer after it is one step.
      yield* TestClock.adjust("1 minute")
      yield* pacing.accepted(yield* Clock.currentTimeMillis)
      expect(yield* pacing.rate).toBe(lowered + 6 * Pacing.increaseStep)
    }))

  it.effect("never above the configured rate", () =>
    Effect.gen(function*() {
      const pacing = yield* Pacing.make({ requestsPerSecond: 10, burst: 10 }, 0)
      yield* answeredOverASecond(pacing, 10)
      yield* pacing.throttled(yield* Clock.currentTimeMillis)
      expect(yield* pacing.rate).toBeCloseTo(Pacing.decrease * 10)
      for (let second = 0; second < 30; second++) yield* answeredOverASecond(pacing, 10)
      expect(yield* pacing.rate).toBe(10)
    }))

  it.effect("paces requests at the lowered rate, with a burst that shrinks with it", () =>
    Effect.gen(function*() {
      const pacing = yield* Pacing.make({ requestsPerSecond: 100, burst: 100 }, 0)
      yield* answeredOverASecond(pacing, 50)
      yield* pacing.throttled(yield* Clock.currentTimeMillis)
      // 42.5 per second, a burst of 42.5: after a quiet spell, 42 go at once, then one every 1/42.5 s.
      yield* TestClock.adjust("10 seconds")
      const start = yield* Clock.currentTimeMillis
      const starts: Array<number> = []
      const fiber = yield* Effect.fork(Effect.forEach(
        Array.from({ length: 52 }),
        () => Effect.flatMap(pacing.turn, () => Effect.map(Clock.currentTimeMillis, (at) => starts.push(at - start))),
        { discard: true }
      ))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      expect(starts.filter((at) => at === 0)).toHaveLength(42)
      expect(starts.at(-1)).toBeCloseTo((10 * 1000) / 42.5, 0)
    }))

  it.effect("a Retry-After pause holds back every request until it has passed", () =>
    Effect.gen(function*() {
      const pacing = yield* Pacing.make(rateLimit, 0)
      yield* pacing.pauseUntil((yield* Clock.currentTimeMillis) + 3000)
      const fiber = yield* Effect.fork(Effect.zipRight(pacing.turn, Clock.currentTimeMillis))
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(fiber)).toBe(3000)
      expect(yield* pacing.pauseLeft).toBe(0)
    }))
})
