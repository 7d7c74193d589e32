/**
 * A scripted Code42 for unit tests: an `HttpClient` layer whose answers come from a handler function, with
 * a log of every request received (timestamped by the test clock). Handlers may sleep, so TestClock drives
 * latency and timeouts.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Clock, Effect, Layer, Ref } from "effect"

export interface Received {
  readonly method: string
  readonly path: string
  readonly params: URLSearchParams
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
  /** Test-clock millis when the request arrived. */
  readonly at: number
}

export type Reply =
  | {
    readonly _tag: "Answer"
    readonly status: number
    readonly body: string
    readonly headers: Record<string, string>
  }
  | { readonly _tag: "Refused" }
  | { readonly _tag: "Reset" }
  /** The host's name did not resolve: `ENOTFOUND` (no such name) or `EAI_AGAIN` (the resolver failed for now). */
  | { readonly _tag: "Unresolved"; readonly code: "ENOTFOUND" | "EAI_AGAIN" }

export type Handler = (received: Received) => Effect.Effect<Reply>

export const answer = (status: number, body?: unknown, headers: Record<string, string> = {}): Reply => ({
  _tag: "Answer",
  status,
  body: body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body),
  headers
})

/** 200 with the Code42 envelope. */
export const data = (payload: unknown): Reply =>
  answer(200, { metadata: { timestamp: "2024-01-01T00:00:00.000Z", params: {} }, data: payload })

/** A Code42 error body. */
export const error = (status: number, name: string, description: string, headers: Record<string, string> = {}) =>
  answer(status, [{ name, description, objects: [] }], headers)

export const refused: Reply = { _tag: "Refused" }
export const reset: Reply = { _tag: "Reset" }
export const noSuchHost: Reply = { _tag: "Unresolved", code: "ENOTFOUND" }
export const resolverFailed: Reply = { _tag: "Unresolved", code: "EAI_AGAIN" }

export const org = (orgId: number, fields: Record<string, unknown> = {}) => ({
  orgId,
  orgUid: `10000000000000${orgId}`,
  orgGuid: `guid-${orgId}`,
  orgName: `Org ${orgId}`,
  orgExtRef: null,
  notes: null,
  status: "Active",
  active: true,
  blocked: false,
  parentOrgId: orgId === 1 ? null : 1,
  parentOrgUid: orgId === 1 ? null : "100000000000001",
  parentOrgGuid: orgId === 1 ? null : "guid-1",
  type: "ENTERPRISE",
  unknownFutureField: { nested: true },
  ...fields
})

const wireError = (request: HttpClientRequest.HttpClientRequest, code: string, message: string) =>
  new HttpClientError.RequestError({
    request,
    reason: "Transport",
    cause: Object.assign(new Error(message), { code })
  })

export interface FakeCode42 {
  readonly layer: Layer.Layer<HttpClient.HttpClient>
  readonly received: Effect.Effect<ReadonlyArray<Received>>
}

export interface SignInOptions {
  /** Lifetime of API-client tokens in seconds; default 900. */
  readonly expiresIn?: number
  /** Answer every sign-in with 401. */
  readonly rejectSignIn?: boolean
}

/**
 * Sign-in answers (a fresh token "token-N" each time, API-client tokens living `expiresIn` seconds) around
 * `handler`, which sees every other request.
 */
export const make = (handler: Handler, options: SignInOptions = {}): Effect.Effect<FakeCode42> =>
  Effect.gen(function*() {
    const log = yield* Ref.make<ReadonlyArray<Received>>([])
    const tokens = yield* Ref.make(0)
    const signIn = (received: Received): Effect.Effect<Reply> | undefined => {
      if (options.rejectSignIn === true && signIns([received]).length === 1) {
        return Effect.succeed(error(401, "SYSTEM", "Invalid or missing credentials"))
      }
      if (received.path.endsWith("/api/v3/auth/jwt")) {
        return Ref.updateAndGet(tokens, (n) => n + 1).pipe(Effect.map((n) => data({ v3_user_token: `token-${n}` })))
      }
      if (received.path.endsWith("/api/v3/oauth/token")) {
        return Ref.updateAndGet(tokens, (n) => n + 1).pipe(Effect.map((n) =>
          answer(200, { access_token: `token-${n}`, token_type: "bearer", expires_in: options.expiresIn ?? 900 })
        ))
      }
      return undefined
    }
    const client = HttpClient.make((request, url) =>
      Effect.gen(function*() {
        const body = request.body._tag === "Uint8Array"
          ? JSON.parse(new TextDecoder().decode(request.body.body))
          : undefined
        const received: Received = {
          method: request.method,
          path: url.pathname,
          params: url.searchParams,
          headers: request.headers,
          body,
          at: yield* Clock.currentTimeMillis
        }
        yield* Ref.update(log, (entries) => [...entries, received])
        const reply = yield* (signIn(received) ?? handler(received))
        switch (reply._tag) {
          case "Refused":
            return yield* Effect.fail(wireError(request, "ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:4285"))
          case "Reset":
            return yield* Effect.fail(wireError(request, "ECONNRESET", "socket hang up"))
          case "Unresolved":
            return yield* Effect.fail(wireError(request, reply.code, `getaddrinfo ${reply.code} ${url.hostname}`))
          case "Answer":
            return HttpClientResponse.fromWeb(
              request,
              new Response(reply.status === 204 ? null : reply.body, { status: reply.status, headers: reply.headers })
            )
        }
      })
    )
    return { layer: Layer.succeed(HttpClient.HttpClient, client), received: Ref.get(log) }
  })

const isSignIn = (received: Received) =>
  received.path.endsWith("/api/v3/auth/jwt") || received.path.endsWith("/api/v3/oauth/token")

/** Requests other than sign-ins. */
export const calls = (received: ReadonlyArray<Received>) => received.filter((r) => !isSignIn(r))

export const signIns = (received: ReadonlyArray<Received>) => received.filter(isSignIn)

/** Answers the n-th request with the n-th reply, and every later one with the last. */
export const script = (...replies: ReadonlyArray<Reply | Effect.Effect<Reply>>): Handler => {
  let next = 0
  return () => {
    const reply = replies[Math.min(next++, replies.length - 1)]!
    return Effect.isEffect(reply) ? reply as Effect.Effect<Reply> : Effect.succeed(reply as Reply)
  }
}

/** A reply that takes `millis` of (test) time to arrive. */
export const slow = (millis: number, reply: Reply): Effect.Effect<Reply> => Effect.as(Effect.sleep(millis), reply)
