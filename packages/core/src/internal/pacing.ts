/**
 * When a client may send its next request: after any Retry-After pause a server asked for, and at a rate that
 * adapts to what the server accepts, shared by every call of the client. The rate is additive-increase,
 * multiplicative-decrease, as TCP's congestion control: a 429 lowers it to a fraction of the rate the server
 * has just been accepting (or of the current rate, if that is lower), never below a floor; every second of
 * answers without a 429 raises it by a fixed step, never above the configured rate. A client whose limit is
 * at or below the server's never sees a 429 and so keeps its configured rate.
 *
 * The pacing itself is a token bucket kept as the time its next token is due (the generic cell rate algorithm
 * of ATM networks): a request is sent at once while the bucket holds a token, else when its own token is due,
 * each one interval after the one before it, so that no two go closer than the rate allows whatever the delays
 * before them. Its burst shrinks with the rate, so that a client slowed down does not send its configured burst
 * at once after a pause. (@effect/experimental's `RateLimiter` counts a delay in whole tokens from the moment it
 * is asked, so that a request it held back too long lets the next one go early: too soon for a server keeping
 * the same rate.)
 *
 * Requests in flight count against the burst: the bucket holds `burst` less the requests that may be in flight
 * (at least one token; where that leaves none to spare, it refills a little slower than the rate). A server's
 * bucket stays full while a request is on its way, losing the tokens it would gain meanwhile, where the client's
 * bucket keeps filling; a client holding its whole burst besides would, once those requests arrive, send more
 * than a server keeping the same rate and burst has left.
 */
import { Clock, Duration, Effect, Metric, Ref } from "effect"
import type * as ClientConfig from "../ClientConfig.js"
import * as ClientMetrics from "../ClientMetrics.js"

export interface Pacing {
  /** Waits until a request may start: past any Retry-After pause, then for a token at the current rate. */
  readonly turn: Effect.Effect<void>
  /** Pauses every request of the client until `until` (epoch millis), or longer if already paused so. */
  readonly pauseUntil: (until: number) => Effect.Effect<void>
  /** How many milliseconds the Retry-After pause still lasts. */
  readonly pauseLeft: Effect.Effect<number>
  /** A request started at `sentAt` (epoch millis) got an answer other than 429. */
  readonly accepted: (sentAt: number) => Effect.Effect<void>
  /** A request started at `sentAt` (epoch millis) was answered 429. */
  readonly throttled: (sentAt: number) => Effect.Effect<void>
  /** The current rate, in requests per second. */
  readonly rate: Effect.Effect<number>
}

/** A 429 sets the rate to this fraction of the rate the server was accepting. */
export const decrease = 0.85

/** Each second of answers without a 429 raises the rate by this many requests per second. */
export const increaseStep = 1

/** The lowest rate, in requests per second: a tenth of the configured one, but at least 1 (or the configured one). */
export const floorOf = (rateLimit: ClientConfig.RateLimit): number =>
  Math.min(rateLimit.requestsPerSecond, Math.max(1, rateLimit.requestsPerSecond / 10))

interface State {
  readonly rate: number
  /** When the rate last went down; a 429 to a request sent before that was sent at the older rate. */
  readonly decreasedAt: number
  /** When the rate last changed, either way. */
  readonly changedAt: number
  /** Epoch millis before which no request may start. */
  readonly pausedUntil: number
  /** When each answer other than 429 of the last second arrived, oldest first. */
  readonly accepted: ReadonlyArray<number>
}

const window = 1000

/** Requests per second the server accepted in the last second, counted from the end of a pause within it. */
const acceptedRate = (state: State, now: number): number => {
  const since = Math.max(now - window, state.pausedUntil <= now ? state.pausedUntil : now - window)
  const span = now - since
  if (span <= 0) return state.rate
  return (state.accepted.filter((at) => at > since).length * 1000) / span
}

/** The tokens the bucket holds at the configured rate: the burst less the requests that may be in flight. */
const bucketOf = (rateLimit: ClientConfig.RateLimit, inFlight: number): number =>
  Math.max(1, rateLimit.burst - inFlight)

/**
 * The share of the rate the bucket refills at. A burst that leaves no token beside the requests in flight
 * leaves a server keeping the same rate no room for a request that reaches it a little early: the bucket then
 * refills 10% slower, so that the server's has refilled a while before each request (100 ms at one a second).
 */
const refillShare = (rateLimit: ClientConfig.RateLimit, inFlight: number): number =>
  rateLimit.burst - inFlight >= 1 ? 1 : 0.9

/** Pacing at `rateLimit` for a client that keeps at most `inFlight` requests in flight. */
export const make = (rateLimit: ClientConfig.RateLimit, inFlight: number) =>
  Effect.gen(function*() {
    const { requestsPerSecond: ceiling } = rateLimit
    const burst = bucketOf(rateLimit, inFlight)
    const share = refillShare(rateLimit, inFlight)
    const floor = floorOf(rateLimit)
    // When the bucket's next token is due (epoch millis): the bucket is full when it is due a burst ago or more.
    const nextToken = yield* Ref.make(Number.NEGATIVE_INFINITY)
    const state = yield* Ref.make<State>({
      rate: ceiling,
      decreasedAt: Number.NEGATIVE_INFINITY,
      changedAt: Number.NEGATIVE_INFINITY,
      pausedUntil: Number.NEGATIVE_INFINITY,
      accepted: []
    })

    const awaitPause: Effect.Effect<void> = Effect.gen(function*() {
      // Loop: another answer may extend the pause while this request sleeps.
      while (true) {
        const now = yield* Clock.currentTimeMillis
        const { pausedUntil } = yield* Ref.get(state)
        if (pausedUntil <= now) return
        yield* Effect.sleep(Duration.millis(pausedUntil - now))
      }
    })

    const token: Effect.Effect<void> = Effect.gen(function*() {
      const { rate } = yield* Ref.get(state)
      const interval = 1000 / (rate * share)
      const tokens = Math.max(1, Math.floor((burst * rate) / ceiling))
      const now = yield* Clock.currentTimeMillis
      const sendAt = yield* Ref.modify(nextToken, (due) => {
        const at = Math.max(now, due - (tokens - 1) * interval)
        return [at, Math.max(due, at) + interval]
      })
      if (sendAt > now) yield* Effect.sleep(Duration.millis(sendAt - now))
    })

    // A pause may begin while a request waits for its token: it waits for that pause too.
    const turn = Effect.zipRight(Effect.zipRight(awaitPause, token), awaitPause)

    const pauseUntil = (until: number) =>
      Ref.update(state, (current) => ({ ...current, pausedUntil: Math.max(current.pausedUntil, until) }))

    const pauseLeft = Effect.zipWith(
      Ref.get(state),
      Clock.currentTimeMillis,
      ({ pausedUntil }, now) => Math.max(0, pausedUntil - now)
    )

    /** Applies `change` to the state; the rate it leaves is the metric's. */
    const adapt = (change: (current: State, now: number) => State) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const { rate } = yield* Ref.updateAndGet(state, (current) => change(current, now))
        yield* Metric.set(ClientMetrics.rateLimit, rate)
      })

    const accepted = (sentAt: number) =>
      adapt((current, now) => {
        const recent = [...current.accepted.filter((at) => at > now - window), now]
        // Seconds of answers: a Retry-After pause is none.
        const since = Math.max(current.changedAt, current.pausedUntil)
        const raise = sentAt >= current.decreasedAt && current.rate < ceiling && now - since >= 1000
        return raise
          ? { ...current, accepted: recent, rate: Math.min(ceiling, current.rate + increaseStep), changedAt: now }
          : { ...current, accepted: recent }
      })

    const throttled = (sentAt: number) =>
      adapt((current, now) =>
        // Sent before the last decrease: that one already answered the overload it belongs to.
        sentAt < current.decreasedAt ? current : {
          ...current,
          rate: Math.max(floor, decrease * Math.min(current.rate, acceptedRate(current, now))),
          decreasedAt: now,
          changedAt: now
        }
      )

    const rate = Effect.map(Ref.get(state), (current) => current.rate)

    return { turn, pauseUntil, pauseLeft, accepted, throttled, rate } satisfies Pacing
  })
