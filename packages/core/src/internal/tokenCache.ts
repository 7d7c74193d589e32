/**
 * The bearer token shared by every call of one client: fetched on first use, fetched again shortly before
 * the server said it expires, and dropped when the server rejects it. Concurrent callers wait for one
 * sign-in instead of each starting their own.
 */
import { Clock, Duration, Effect, Option, Ref } from "effect"
import type * as Redacted from "effect/Redacted"
import type * as Code42Error from "../Code42Error.js"

/** What a sign-in returns. */
export interface Token {
  readonly value: Redacted.Redacted
  /** The lifetime the server announced (`expires_in`), when it did. */
  readonly expiresIn: Option.Option<Duration.Duration>
}

export interface TokenCache {
  /** The current token, signing in first when there is none or it is about to expire. */
  readonly get: Effect.Effect<Redacted.Redacted, Code42Error.Code42Error>
  /** Drops `token` if it is still the current one (a newer token fetched meanwhile stays). */
  readonly invalidate: (token: Redacted.Redacted) => Effect.Effect<void>
}

interface Cached {
  readonly value: Redacted.Redacted
  /** Epoch millis after which the token is fetched again; undefined when the server gave no lifetime. */
  readonly refreshAt: number | undefined
}

/** How long before expiry the token is replaced: a tenth of its life, at most a minute. */
const refreshMargin = (lifetime: Duration.Duration): Duration.Duration =>
  Duration.min(Duration.minutes(1), Duration.unsafeDivide(lifetime, 10))

export const make = (signIn: Effect.Effect<Token, Code42Error.Code42Error>): Effect.Effect<TokenCache> =>
  Effect.gen(function*() {
    const current = yield* Ref.make(Option.none<Cached>())
    const lock = yield* Effect.makeSemaphore(1)

    const get = lock.withPermits(1)(
      Effect.gen(function*() {
        // Measured before the request, so that the refresh errs on the early side.
        const now = yield* Clock.currentTimeMillis
        const cached = yield* Ref.get(current)
        if (Option.isSome(cached) && (cached.value.refreshAt === undefined || now < cached.value.refreshAt)) {
          return cached.value.value
        }
        const token = yield* signIn
        const refreshAt = Option.match(token.expiresIn, {
          onNone: () => undefined,
          onSome: (lifetime) => now + Duration.toMillis(Duration.subtract(lifetime, refreshMargin(lifetime)))
        })
        yield* Ref.set(current, Option.some({ value: token.value, refreshAt }))
        return token.value
      })
    )

    const invalidate = (token: Redacted.Redacted) =>
      Ref.update(current, (cached) => Option.isSome(cached) && cached.value.value === token ? Option.none() : cached)

    return { get, invalidate }
  })
