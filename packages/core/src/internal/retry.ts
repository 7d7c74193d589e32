/**
 * Trying a call again after a transient failure: jittered exponential back-off up to a cap, for as many
 * retries as configured, counted in the metrics, and one info line per retry saying what is retried, why
 * and after how long (the back-off, or the server's Retry-After pause when that is longer).
 */
import { Duration, Effect, Metric, Random } from "effect"
import * as ClientMetrics from "../ClientMetrics.js"
import type * as ClientConfig from "../ClientConfig.js"
import type * as Code42Error from "../Code42Error.js"
import * as Failure from "./failure.js"

/** The back-off in milliseconds before retry `n` (from 1): base × 2^(n-1), jittered by ±20%, at most `cap`. */
const backoff = (retry: ClientConfig.Resolved["retry"], n: number) =>
  Effect.map(
    Random.nextRange(0.8, 1.2),
    (jitter) => Math.min(Duration.toMillis(retry.base) * 2 ** (n - 1) * jitter, Duration.toMillis(retry.cap))
  )

export const make = (
  retry: ClientConfig.Resolved["retry"],
  /** How many milliseconds the client-wide Retry-After pause still lasts. */
  pauseLeft: Effect.Effect<number>
) =>
<A>(operation: string, attempt: Effect.Effect<A, Failure.Failure>): Effect.Effect<A, Code42Error.Code42Error> => {
  const run = (n: number): Effect.Effect<A, Code42Error.Code42Error> =>
    Effect.catchAll(attempt, (failure) => {
      if (failure._tag !== "Retryable" || n > retry.times) return Effect.fail(Failure.unwrap(failure))
      return Effect.gen(function*() {
        // Whole milliseconds: a person reads the wait, and clocks count in whole milliseconds.
        const delay = Math.round(yield* backoff(retry, n))
        const wait = Math.max(delay, yield* pauseLeft)
        yield* Effect.logInfo(`retrying ${operation} in ${Duration.format(wait)}: ${failure.error.message}`).pipe(
          Effect.annotateLogs({
            operation,
            retry: `${n} of ${retry.times}`,
            reason: failure.error._tag,
            status: failure.error.status ?? "none",
            waitMs: wait
          })
        )
        yield* Metric.increment(ClientMetrics.retriesTotal)
        yield* Effect.sleep(Duration.millis(delay))
        return yield* run(n + 1)
      })
    })
  return run(1)
}
