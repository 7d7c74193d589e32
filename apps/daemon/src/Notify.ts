/**
 * Notifications: a JSON POST to each webhook of the `notify` setting when the daemon has something to tell
 * (drift found, changes held, a refusal, failed writes, a contested org, a git commit refused or a fetch
 * failing, recovery). The body has a
 * Slack-compatible `text` and the structured `event`, `tenant` and `details`. Telling never holds up a pass:
 * `notify` only enqueues; each receiver has its own bounded queue and fiber, retries with back-off, and a
 * notification that cannot be delivered is counted in `orgsync_notify_failures_total`. The webhooks may be
 * replaced while the daemon runs (SIGHUP); a webhook that stays keeps its queue. A webhook URL often carries
 * its secret in its path or query: only its origin is ever logged.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Clock, Context, Data, Duration, Effect, Fiber, Layer, Metric, Queue, Redacted, Ref, Schedule, type Scope } from "effect"

export type Event =
  | "drift"
  | "held"
  | "refused"
  | "failed"
  | "contested"
  | "commit-refused"
  | "fetch-failed"
  | "recovered"

export interface Notice {
  readonly event: Event
  /** One readable paragraph, for chat. */
  readonly text: string
  readonly details: unknown
}

/** The JSON body of a notification. */
export interface Payload extends Notice {
  readonly tenant: string
  readonly at: string
}

export class Notify extends Context.Tag("@c42/daemon/Notify")<Notify, {
  /** Enqueues the notice for every receiver; never waits, never fails. */
  readonly notify: (notice: Notice) => Effect.Effect<void>
  /** Tells `urls` from now on: new webhooks start empty, those no longer listed are dropped with their queue. */
  readonly retarget: (urls: ReadonlyArray<Redacted.Redacted<string>>) => Effect.Effect<void>
}>() {}

export const failuresTotal = Metric.counter("orgsync_notify_failures_total", {
  description: "Notifications not delivered: every try failed, or the receiver's queue was full",
  incremental: true
})

export const retriesTotal = Metric.counter("orgsync_notify_retries_total", {
  description: "Deliveries of a notification that failed and were tried again",
  incremental: true
})

export interface Options {
  /** The webhook URLs; secret, as they often hold a token. */
  readonly urls: ReadonlyArray<Redacted.Redacted<string>>
  /** The Code42 URL, named in every notification. */
  readonly tenant: string
  /** Notifications waiting per receiver before new ones are dropped (default 100). */
  readonly queueSize?: number
  /** Between tries: default 1 s doubling, 5 retries. */
  readonly retry?: Schedule.Schedule<unknown, unknown>
  /** One try's limit (default 10 s): a receiver that never answers must not stop the queue for ever. */
  readonly timeout?: Duration.DurationInput
}

export const defaultRetry: Schedule.Schedule<unknown, unknown> = Schedule.exponential("1 second").pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(5))
)

/** What is logged of a webhook URL: its scheme and host, never its path, query or user. */
export const receiverName = (url: Redacted.Redacted<string>): string => {
  try {
    return new URL(Redacted.value(url)).origin
  } catch {
    return "(a webhook URL that does not parse)"
  }
}

/** Checks a webhook URL: http or https, absolute. The message never repeats the URL. */
export const validateUrl = (url: string): string | undefined => {
  try {
    const parsed = new URL(url)
    return parsed.protocol === "https:" || parsed.protocol === "http:"
      ? undefined
      : `a notify URL must be http or https, not ${parsed.protocol}`
  } catch {
    return "a notify URL must be an absolute http or https URL"
  }
}

export class WebhookUrlError extends Data.TaggedError("WebhookUrlError")<{ readonly message: string }> {}

/** The `notify` setting's URLs, checked and made secret; a message names the URL by its place, never its text. */
export const webhooks = (urls: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<Redacted.Redacted<string>>, WebhookUrlError> =>
  Effect.forEach(urls, (url, i) => {
    const problem = validateUrl(url)
    return problem === undefined
      ? Effect.succeed(Redacted.make(url))
      : Effect.fail(new WebhookUrlError({ message: `notify (URL ${i + 1}): ${problem}` }))
  })

class DeliveryError {
  readonly _tag = "DeliveryError"
  constructor(readonly reason: string) {}
}

export const make = (options: Options): Effect.Effect<Notify["Type"], never, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const timeout = options.timeout ?? Duration.seconds(10)
    const retry = options.retry ?? defaultRetry

    const scope = yield* Effect.scope
    const receiver = (url: Redacted.Redacted<string>) =>
      Effect.gen(function*() {
        const name = receiverName(url)
        const queue = yield* Queue.dropping<Payload>(options.queueSize ?? 100)
        const attempt = (payload: Payload) =>
          client.execute(HttpClientRequest.post(Redacted.value(url)).pipe(HttpClientRequest.bodyUnsafeJson(payload))).pipe(
            // The reason only: the error's message names the URL.
            Effect.mapError((error) => new DeliveryError(`cannot reach it (${error.reason.toLowerCase()})`)),
            // The body is read and dropped, so that the connection is free again.
            Effect.flatMap((response) =>
              Effect.zipRight(
                Effect.ignore(response.text),
                response.status >= 200 && response.status < 300
                  ? Effect.void
                  : Effect.fail(new DeliveryError(`answered ${response.status}`))
              )
            ),
            Effect.timeoutFail({
              duration: timeout,
              onTimeout: () => new DeliveryError(`no answer within ${Duration.format(timeout)}`)
            })
          )
        // A try after the first is a retry: counted as it goes out, so that one given up counts its retries only.
        const deliver = (payload: Payload) =>
          Effect.flatMap(Ref.make(false), (tried) =>
            Effect.zipRight(
              Effect.flatMap(Ref.getAndSet(tried, true), (again) => again ? Metric.increment(retriesTotal) : Effect.void),
              attempt(payload)
            ).pipe(
              Effect.tapError((error) =>
                Effect.logWarning(`notification to ${name} failed: ${error.reason}`).pipe(
                  Effect.annotateLogs({ event: payload.event })
                )
              ),
              Effect.retry(retry),
              Effect.catchAll((error) =>
                Effect.zipRight(
                  Metric.increment(failuresTotal),
                  Effect.logError(`notification to ${name} not delivered: ${error.reason}; given up`).pipe(
                    Effect.annotateLogs({ event: payload.event })
                  )
                )
              )
            ))
        const fiber = yield* Effect.forkIn(Effect.forever(Effect.flatMap(Queue.take(queue), deliver)), scope)
        return { url: Redacted.value(url), name, queue, fiber }
      })
    const receivers = yield* Ref.make(yield* Effect.forEach(options.urls, receiver))

    const retarget = (urls: ReadonlyArray<Redacted.Redacted<string>>) =>
      Effect.gen(function*() {
        const before = yield* Ref.get(receivers)
        const wanted = new Set(urls.map(Redacted.value))
        const kept = before.filter((r) => wanted.has(r.url))
        const known = new Set(kept.map((r) => r.url))
        const fresh: Array<Redacted.Redacted<string>> = []
        for (const url of urls) {
          if (known.has(Redacted.value(url))) continue
          known.add(Redacted.value(url))
          fresh.push(url)
        }
        const added = yield* Effect.forEach(fresh, receiver)
        yield* Ref.set(receivers, [...kept, ...added])
        yield* Effect.forEach(before.filter((r) => !wanted.has(r.url)), (r) =>
          Effect.zipRight(Fiber.interrupt(r.fiber), Queue.shutdown(r.queue)), { discard: true })
      })

    const notify = (notice: Notice) =>
      Effect.gen(function*() {
        const payload: Payload = { ...notice, tenant: options.tenant, at: new Date(yield* Clock.currentTimeMillis).toISOString() }
        for (const receiver of yield* Ref.get(receivers)) {
          if (!(yield* Queue.offer(receiver.queue, payload))) {
            yield* Metric.increment(failuresTotal)
            yield* Effect.logWarning(`notification to ${receiver.name} dropped: its queue is full`).pipe(
              Effect.annotateLogs({ event: notice.event })
            )
          }
        }
      })

    return Notify.of({ notify, retarget })
  })

/** Notifications to `options.urls`; with none, `notify` does nothing until `retarget` gives some. */
export const layer = (options: Options): Layer.Layer<Notify, never, HttpClient.HttpClient> =>
  Layer.scoped(Notify, make(options))

/** Gives the counters a first value, so that scrapes see them at zero. */
export const register: Effect.Effect<void> = Effect.all([
  Metric.update(failuresTotal, 0),
  Metric.update(retriesTotal, 0)
], { discard: true })
