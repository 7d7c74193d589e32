/**
 * What happens to an API request on its way in and out: the request log, and the configured faults
 * (latency, rate limit, dropped connections, random failures, lost answers). Control requests under `/__sim`
 * pass untouched.
 */
import type { HttpApp } from "@effect/platform"
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Clock, Duration, Effect, Exit } from "effect"
import { errorBody } from "./responses.js"
import { SimulatorState } from "./state.js"

const isControl = (url: string) => url.toLowerCase().startsWith("/__sim")

/** A sign-in changes no org: its answer is never lost or emptied as a write's may be. */
const isSignIn = (url: string) => /^\/(?:v1\/oauth|api\/v3\/oauth\/token)(?:[?#]|$)/i.test(url)

/**
 * Resets the connection (TCP RST) and abandons the request: the caller sees ECONNRESET and cannot tell
 * whether the server acted.
 */
const dropConnection = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.zipRight(
    Effect.sync(() => NodeHttpServerRequest.toIncomingMessage(request).socket.resetAndDestroy()),
    Effect.interrupt
  )

/** Records every API request with the status it got (0 when its connection was dropped). */
export const requestLogging = <E, R>(app: HttpApp.Default<E, R>) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (isControl(request.url)) return yield* app
    const { log } = yield* SimulatorState
    const arrived = yield* Clock.currentTimeMillis
    const url = new URL(request.url, "http://localhost")
    return yield* Effect.onExit(app, (exit) =>
      Effect.sync(() =>
        log.add({
          method: request.method,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          status: Exit.isSuccess(exit) ? exit.value.status : Exit.isInterrupted(exit) ? 0 : 500,
          time: new Date(arrived).toISOString()
        })
      ))
  })

const tooManyRequests = (retryAfterSeconds: number) =>
  HttpServerResponse.unsafeJson(
    errorBody("TOO_MANY_REQUESTS", `Rate limit exceeded; retry in ${retryAfterSeconds} s`),
    { status: 429, headers: { "retry-after": String(retryAfterSeconds) } }
  )

/** Applies the fault settings in force when the request arrives. */
export const faultInjection = <E, R>(app: HttpApp.Default<E, R>) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (isControl(request.url)) return yield* app
    const { faults } = yield* SimulatorState
    const admission = faults.admit(yield* Clock.currentTimeMillis)
    const delay = faults.delayMillis()
    if (delay > 0) yield* Effect.sleep(Duration.millis(delay))
    if (admission._tag === "Limited") return tooManyRequests(admission.retryAfterSeconds)
    if (faults.rollReset()) return yield* dropConnection(request)
    const faultStatus = faults.rollFault()
    if (faultStatus === 429) return tooManyRequests(1)
    if (faultStatus !== undefined) {
      return HttpServerResponse.unsafeJson(errorBody("SYSTEM", "The server failed to handle the request"), {
        status: faultStatus
      })
    }
    const response = yield* app
    if (request.method === "GET" || request.method === "HEAD" || isSignIn(request.url)) return response
    // The write happened; only its answer goes astray.
    switch (faults.rollLostResponse()) {
      case "status500":
        return HttpServerResponse.unsafeJson(errorBody("SYSTEM", "The server failed to answer"), { status: 500 })
      case "drop":
        return yield* dropConnection(request)
      case undefined:
        return faults.rollEmptyAnswer() ? HttpServerResponse.empty({ status: 200 }) : response
    }
  })
