/**
 * The misbehaviour the simulator can be told to show, so that clients can be tested against a slow, rate
 * limited, flaky server. The settings change at run time (`POST /__sim/faults`, `Handle.setFaults`); the dice
 * come from one PRNG, seeded when the simulator was given a `randomSeed`, so a run can be replayed.
 */
import { Schema } from "effect"
import type { PCGRandom } from "effect/Utils"

const Rate = Schema.Number.pipe(Schema.between(0, 1))
const Millis = Schema.Number.pipe(Schema.nonNegative(), Schema.finite())

export const Faults = Schema.Struct({
  /** Added to every answer. */
  latencyMs: Millis,
  /** A uniform random extra in [0, jitterMs] on top of `latencyMs`. */
  jitterMs: Millis,
  /** Requests per second a token bucket lets through (burst: one second's worth); 0 = no limit. */
  rateLimit: Schema.Number.pipe(Schema.nonNegative(), Schema.finite()),
  /** Share of requests answered at random with one of `faultStatuses`, before they are handled. */
  faultRate: Rate,
  faultStatuses: Schema.Array(Schema.Int.pipe(Schema.between(400, 599))).pipe(Schema.minItems(1)),
  /** Share of requests whose connection is dropped before they are handled. */
  resetRate: Rate,
  /** Share of writes that are carried out but whose answer is lost (a 500 or a dropped connection); not sign-ins. */
  lostResponseRate: Rate,
  /** Share of writes that are carried out and answered 200 with an empty body: a success that says nothing. */
  emptyAnswerRate: Rate,
  /** Caps every list page at this many orgs whatever `pgSize` asks, as some servers do; 0 = no cap. */
  maxPageSize: Schema.Int.pipe(Schema.nonNegative()),
  /** Added to the `totalCount` of every list (never below 0), which real servers do not keep exact. */
  totalCountOffset: Schema.Int,
  /** An org made by a create shows in lists only this long after it (a listing that lags its writes). */
  listingLagMs: Millis
})
export interface Faults extends Schema.Schema.Type<typeof Faults> {}

/** The body of `POST /__sim/faults`: any subset of the settings. */
export const FaultsPatch = Schema.partial(Faults)

export const defaults: Faults = {
  latencyMs: 0,
  jitterMs: 0,
  rateLimit: 0,
  faultRate: 0,
  faultStatuses: [500, 502, 503, 504],
  resetRate: 0,
  lostResponseRate: 0,
  emptyAnswerRate: 0,
  maxPageSize: 0,
  totalCountOffset: 0,
  listingLagMs: 0
}

/** What the rate limit says about a request that just arrived. */
export type Admission =
  | { readonly _tag: "Admitted" }
  | { readonly _tag: "Limited"; readonly retryAfterSeconds: number }

const admitted: Admission = { _tag: "Admitted" }

/** A key present with the value undefined means "not given", not "unset". */
export const definedOnly = <A extends object>(patch: Partial<A>): Partial<A> =>
  Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<A>

/** The current settings, the rate limit's bucket and the dice. */
export class FaultInjector {
  private settings: Faults
  private tokens = 0
  private refilledAt: number | undefined = undefined

  constructor(private readonly random: PCGRandom, initial: Partial<Faults>) {
    this.settings = { ...defaults, ...definedOnly(initial) }
    this.tokens = this.burst()
  }

  get current(): Faults {
    return this.settings
  }

  /** Changes some settings; a new rate limit starts with a full bucket. */
  set(patch: Partial<Faults>): void {
    this.settings = { ...this.settings, ...definedOnly(patch) }
    if (patch.rateLimit !== undefined) {
      this.tokens = this.burst()
      this.refilledAt = undefined
    }
  }

  /** How long to hold this answer back. */
  delayMillis(): number {
    const { jitterMs, latencyMs } = this.settings
    return latencyMs + (jitterMs > 0 ? this.random.number() * jitterMs : 0)
  }

  /** Takes a token from the bucket, or says how long until the next one. */
  admit(nowMillis: number): Admission {
    const rate = this.settings.rateLimit
    if (rate <= 0) return admitted
    if (this.refilledAt !== undefined) {
      this.tokens = Math.min(this.burst(), this.tokens + ((nowMillis - this.refilledAt) / 1000) * rate)
    }
    this.refilledAt = nowMillis
    if (this.tokens >= 1) {
      this.tokens -= 1
      return admitted
    }
    return { _tag: "Limited", retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / rate)) }
  }

  /** Whether the request is dropped before it is handled. */
  rollReset(): boolean {
    return this.roll(this.settings.resetRate)
  }

  /** The status of a random failure for this request, if it gets one. */
  rollFault(): number | undefined {
    if (!this.roll(this.settings.faultRate)) return undefined
    const statuses = this.settings.faultStatuses
    return statuses[this.random.integer(statuses.length)]
  }

  /** For a handled write: undefined if its answer arrives, else how it is lost. */
  rollLostResponse(): "status500" | "drop" | undefined {
    if (!this.roll(this.settings.lostResponseRate)) return undefined
    return this.random.number() < 0.5 ? "status500" : "drop"
  }

  /** For a handled write whose answer arrives: whether its body is left out. */
  rollEmptyAnswer(): boolean {
    return this.roll(this.settings.emptyAnswerRate)
  }

  private roll(rate: number): boolean {
    return rate > 0 && this.random.number() < rate
  }

  private burst(): number {
    return Math.max(1, Math.ceil(this.settings.rateLimit))
  }
}
