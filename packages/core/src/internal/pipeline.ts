/**
 * The one request pipeline every call of a client goes through: base URL, bearer token (fetched again once on
 * a 401), the client's pacing (a Retry-After pause and an adaptive token bucket, shared by every call), bounded
 * concurrency, a per-request timeout, retries with jittered exponential back-off where they are safe, error
 * mapping, and the unwrapping and decoding of the answer.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Headers from "@effect/platform/Headers"
import {
  Cause,
  Clock,
  Data,
  Duration,
  Effect,
  Either,
  Metric,
  Option,
  Schema,
  Stream
} from "effect"
import type * as Scope from "effect/Scope"
import * as ClientMetrics from "../ClientMetrics.js"
import type * as ClientConfig from "../ClientConfig.js"
import * as Code42Error from "../Code42Error.js"
import * as Failure from "./failure.js"
import * as Pacing from "./pacing.js"
import * as Redact from "./redact.js"
import * as Retry from "./retry.js"
import * as SignIn from "./signIn.js"
import * as TokenCache from "./tokenCache.js"

/** One API call: what the caller calls it, whether it may be repeated, and the request (path relative). */
export interface Call {
  readonly operation: string
  readonly kind: Failure.Kind
  readonly request: HttpClientRequest.HttpClientRequest
}

export interface Pipeline {
  /** Sends the call and decodes the answer's payload (`data` of the envelope) with `schema`. */
  readonly json: <A, I>(call: Call, schema: Schema.Schema<A, I>) => Effect.Effect<A, Code42Error.Code42Error>
  /** As `json`, but a success with an empty body (some writes answer so) is `None`. */
  readonly jsonOrEmpty: <A, I>(
    call: Call,
    schema: Schema.Schema<A, I>
  ) => Effect.Effect<Option.Option<A>, Code42Error.Code42Error>
  /** Sends the call; the answer's body does not matter. */
  readonly send: (call: Call) => Effect.Effect<void, Code42Error.Code42Error>
}

/** A complete answer, whatever its status. */
interface Answer {
  readonly status: number
  /** The HTTP reason phrase, when the HTTP client exposes it. */
  readonly reason: string | undefined
  readonly headers: Headers.Headers
  readonly body: string
}

/**
 * The reason phrase of an answer. `HttpClientResponse` does not carry it, but each implementation keeps the
 * native response as `source` (undici's and fetch's have `statusText`, node:http's `statusMessage`), inside
 * the platform's wrappers (`original`).
 */
const reasonPhrase = (response: HttpClientResponse.HttpClientResponse): string | undefined => {
  let current: unknown = response
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const { original, source } = current as { readonly original?: unknown; readonly source?: unknown }
    if (typeof source === "object" && source !== null) {
      const { statusMessage, statusText } = source as { readonly statusText?: unknown; readonly statusMessage?: unknown }
      const reason = typeof statusText === "string" ? statusText : statusMessage
      return typeof reason === "string" && reason !== "" ? reason : undefined
    }
    current = original
  }
  return undefined
}

/**
 * The largest answer read: a page of 1,000 orgs is about 1 MB. A longer body is a broken or hostile server,
 * and reading it all would only exhaust memory.
 */
const maxBodyBytes = 32 * 1024 * 1024

/** Reads the body, failing as soon as it grows past `maxBodyBytes`. */
const boundedText = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.gen(function*() {
    // An answer without a body (204) has no stream to read.
    if (response.status === 204 || response.headers["content-length"] === "0") return ""
    const chunks: Array<Uint8Array> = []
    let size = 0
    yield* Stream.runForEach(response.stream, (chunk) => {
      size += chunk.length
      chunks.push(chunk)
      return size > maxBodyBytes ? Effect.fail(new BodyTooLarge()) : Effect.void
    })
    return Buffer.concat(chunks, size).toString("utf8")
  })

class CutOff extends Data.TaggedError("CutOff") {}

const cutOffWhenInterrupted = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | CutOff, R> =>
  Effect.catchAllCause(
    effect,
    (cause): Effect.Effect<never, E | CutOff> =>
      Cause.isInterruptedOnly(cause) ? Effect.fail(new CutOff()) : Effect.failCause(cause)
  )

class BodyTooLarge extends Data.TaggedError("BodyTooLarge") {
  override get message() {
    return `the answer is larger than ${maxBodyBytes / 1024 / 1024} MB`
  }
}

/** Decode errors quote the values they reject: keep a hostile value from flooding logs. */
const clip = (text: string) => text.length > 1000 ? `${text.slice(0, 1000)}... (${text.length - 1000} more characters)` : text

const isSuccess = (status: number) => status >= 200 && status < 300

/** Retry-After is either seconds or an HTTP date. */
const retryAfterMillis = (header: string | undefined, now: number): number | undefined => {
  const value = header?.trim()
  if (value === undefined || value === "") return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** The payload of an answer: `data` of the envelope, or the whole body for the few unwrapped answers. */
const payload = (operation: string, answer: Answer): Either.Either<unknown, Code42Error.DecodeError> => {
  let json: unknown
  try {
    json = JSON.parse(answer.body)
  } catch {
    return Either.left(
      new Code42Error.DecodeError({ operation, status: answer.status, reason: "the answer is not JSON" })
    )
  }
  return Either.right(
    typeof json === "object" && json !== null && !Array.isArray(json) && "data" in json ? json.data : json
  )
}

export const make = (
  config: ClientConfig.Resolved
): Effect.Effect<Pipeline, never, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest(HttpClientRequest.prependUrl(config.baseUrl.href.replace(/\/$/, "")))
    )
    const pacing = yield* Pacing.make(config.rateLimit, config.concurrency)
    const permits = yield* Effect.makeSemaphore(config.concurrency)
    const timeoutText = Duration.format(config.timeout)
    const callTimeoutText = `${Duration.format(config.callTimeout)}, retries included`

    const awaitTurn: Effect.Effect<void> = Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      yield* pacing.turn
      if ((yield* Clock.currentTimeMillis) > start) {
        yield* Metric.increment(ClientMetrics.rateLimitWaitsTotal)
      }
    })

    /**
     * One HTTP exchange: any complete answer succeeds; only a missing answer fails. Its turn of the rate is taken
     * once a slot of the concurrency is free, just before it is sent: turns taken while waiting for a slot would
     * send the waiting requests together when slots free, faster than the rate the server keeps.
     */
    const exchange = (
      operation: string,
      kind: Failure.Kind,
      request: HttpClientRequest.HttpClientRequest
    ): Effect.Effect<Answer, Failure.Failure> =>
      permits.withPermits(1)(
        Effect.zipRight(
          awaitTurn,
          Effect.gen(function*() {
            const start = yield* Clock.currentTimeMillis
            const result = yield* client.execute(request).pipe(
              Effect.flatMap((response) =>
                Effect.map(boundedText(response), (body): Answer => ({
                  status: response.status,
                  reason: reasonPhrase(response),
                  headers: response.headers,
                  body
                }))
              ),
              // A connection cut while the answer streams in can surface as an interruption of the read rather
              // than as an error: it is the transport failure it looks like (an interruption of this fiber itself
              // still stops it).
              cutOffWhenInterrupted,
              Effect.timeout(config.timeout),
              // Spans record request headers: the two-factor code must not be one of them.
              Effect.locallyWith(Headers.currentRedactedNames, (names) => [...names, "totp-auth"]),
              Effect.either
            )
            const elapsed = (yield* Clock.currentTimeMillis) - start
            yield* Metric.update(
              Metric.tagged(ClientMetrics.requestDuration, "method", request.method),
              elapsed / 1000
            )
            yield* Metric.increment(Metric.tagged(
              Metric.tagged(ClientMetrics.requestsTotal, "method", request.method),
              "status",
              Either.isRight(result) ? String(result.right.status) : "error"
            ))
            if (Either.isRight(result)) {
              yield* result.right.status === 429 ? pacing.throttled(start) : pacing.accepted(start)
              return result.right
            }
            const error = result.left
            return yield* Effect.fail(
              error._tag === "TimeoutException"
                ? Failure.fromTimeout(operation, kind, timeoutText)
                : error._tag === "CutOff"
                ? Failure.fromCutOff(operation, kind)
                : error._tag === "BodyTooLarge"
                ? new Code42Error.DecodeError({ operation, reason: error.message })
                : Failure.fromHttpClientError(operation, kind, error)
            )
          }))
      )

    /**
     * Fails a non-2xx answer with its error; a 429 also pauses the whole client for its Retry-After, unless the
     * server asks for longer than `maxRetryAfter`: then the call fails at once.
     */
    const hide = Redact.redact(Redact.formsOf(config.auth))

    const check = (operation: string, kind: Failure.Kind, answer: Answer): Effect.Effect<Answer, Failure.Failure> =>
      Effect.gen(function*() {
        if (isSuccess(answer.status)) return answer
        if (answer.status === 429) {
          const now = yield* Clock.currentTimeMillis
          const wait = retryAfterMillis(answer.headers["retry-after"], now)
          if (wait !== undefined && wait > Duration.toMillis(config.maxRetryAfter)) {
            return yield* new Code42Error.RetryAfterTooLongError({
              operation,
              status: answer.status,
              retryAfterSeconds: Math.ceil(wait / 1000),
              maxRetryAfterSeconds: Duration.toSeconds(config.maxRetryAfter)
            })
          }
          if (wait !== undefined) yield* pacing.pauseUntil(now + wait)
        }
        // A server may echo the credentials it was sent: they never reach an error, a log or the state database.
        return yield* Effect.fail(
          Failure.fromStatus(
            operation,
            kind,
            answer.status,
            hide(answer.body),
            answer.reason === undefined ? undefined : hide(answer.reason)
          )
        )
      })

    const withRetry = Retry.make(config.retry, pacing.pauseLeft)

    const signIn: Effect.Effect<TokenCache.Token, Failure.Failure> = Effect.gen(function*() {
      const { kind, request } = yield* SignIn.request(config.auth, config.api)
      const answer = yield* exchange(SignIn.operation, kind, request)
      // Something other than Code42 answers there: say so, rather than "not found" or "not JSON".
      const notTheApi = SignIn.notTheApi(answer)
      if (notTheApi !== undefined) {
        return yield* new Code42Error.WrongUrlError({
          operation: SignIn.operation,
          status: answer.status,
          url: `${config.baseUrl.origin}${config.baseUrl.pathname.replace(/\/$/, "")}`,
          answer: notTheApi
        })
      }
      yield* check(SignIn.operation, kind, answer)
      return yield* Either.flatMap(payload(SignIn.operation, answer), (body) => SignIn.decode(config.auth, body))
    })
    const tokens = yield* TokenCache.make(withRetry(SignIn.operation, signIn))

    /** The whole call, its retries included, within `callTimeout`. */
    const bounded = <A>(call: Call, effect: Effect.Effect<A, Code42Error.Code42Error>) =>
      Effect.timeoutFail(effect, {
        duration: config.callTimeout,
        onTimeout: () => Failure.unwrap(Failure.fromTimeout(call.operation, call.kind, callTimeoutText))
      })

    /** One attempt of a call, signed in; a 401 drops the token and tries once more with a fresh one. */
    const attempt = (call: Call): Effect.Effect<Answer, Failure.Failure> =>
      Effect.gen(function*() {
        const token = yield* tokens.get
        const answer = yield* exchange(call.operation, call.kind, HttpClientRequest.bearerToken(call.request, token))
        if (answer.status !== 401) return answer
        yield* tokens.invalidate(token)
        const fresh = yield* tokens.get
        return yield* exchange(call.operation, call.kind, HttpClientRequest.bearerToken(call.request, fresh))
      }).pipe(Effect.flatMap((answer) => check(call.operation, call.kind, answer)))

    /** The answer of a call, retried where safe, within `callTimeout`. */
    const answered = (call: Call) => bounded(call, withRetry(call.operation, attempt(call)))

    const send = (call: Call): Effect.Effect<void, Code42Error.Code42Error> => Effect.asVoid(answered(call))

    const decoded = <A, I>(call: Call, schema: Schema.Schema<A, I>) => {
      const decode = Schema.decodeUnknownEither(schema)
      return (answer: Answer): Either.Either<A, Code42Error.DecodeError> =>
        Either.flatMap(payload(call.operation, answer), (body) =>
          Either.mapLeft(decode(body), (error) =>
            new Code42Error.DecodeError({
              operation: call.operation,
              status: answer.status,
              reason: clip(error.message)
            })))
    }

    const json = <A, I>(call: Call, schema: Schema.Schema<A, I>): Effect.Effect<A, Code42Error.Code42Error> =>
      Effect.flatMap(answered(call), decoded(call, schema))

    const jsonOrEmpty = <A, I>(
      call: Call,
      schema: Schema.Schema<A, I>
    ): Effect.Effect<Option.Option<A>, Code42Error.Code42Error> => {
      const decode = decoded(call, schema)
      return Effect.flatMap(
        answered(call),
        (answer) => answer.body.trim() === "" ? Effect.succeedNone : Effect.asSome(decode(answer))
      )
    }

    return { json, jsonOrEmpty, send }
  })
