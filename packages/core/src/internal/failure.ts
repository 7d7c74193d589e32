/**
 * Turns what came back from one HTTP exchange (a status with an error body, or a failure on the wire) into a
 * `Code42Error`, and decides whether trying again is safe. The decision depends on the kind of call: reads
 * and the idempotent state actions may be repeated, a create or update may not once it could have reached
 * the server.
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import { Data } from "effect"
import * as Code42Error from "../Code42Error.js"

/**
 * - `read`: a GET, repeatable.
 * - `idempotent`: block, unblock, deactivate, reactivate, a token request: repeating lands in the same state.
 * - `once`: create or update: never re-sent once it may have reached the server.
 */
export type Kind = "read" | "idempotent" | "once"

/** A failure worth another attempt; the retry loop unwraps it when it gives up. */
export class Retryable extends Data.TaggedError("Retryable")<{ readonly error: Code42Error.Code42Error }> {}

export type Failure = Retryable | Code42Error.Code42Error

export const unwrap = (failure: Failure): Code42Error.Code42Error =>
  failure._tag === "Retryable" ? failure.error : failure

/** The Code42 error entry of an answer (`[{"name", "description"}]`), when there is one. */
export interface ErrorBody {
  readonly errorName?: string | undefined
  readonly description?: string | undefined
  /** Whether the code came in Code42's own `{"name", ...}` entry rather than in a gateway shape. */
  readonly named?: boolean | undefined
}

const field = (value: unknown, key: string): string | undefined => {
  const read = (value as Record<string, unknown>)[key]
  return typeof read === "string" && read.trim() !== "" ? read : undefined
}

/**
 * One error entry: Code42's `{"name", "description"}`, or the gateway's `{"code", "message"}`, `{"problem",
 * "description"}` and `{"msg"}`.
 */
const entry = (value: unknown): ErrorBody | undefined => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined
  const name = field(value, "name")
  const errorName = name ?? field(value, "code") ?? field(value, "problem")
  const description = field(value, "description") ?? field(value, "message") ?? field(value, "msg")
  return errorName === undefined && description === undefined
    ? undefined
    : { errorName, description, named: name !== undefined }
}

/** The entries of an error answer: a bare array, the array wrapped in `data`, or a single entry. */
const entries = (text: string | undefined): ReadonlyArray<ErrorBody> => {
  if (text === undefined || text.trim() === "") return []
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return []
  }
  const data = typeof json === "object" && json !== null && !Array.isArray(json) && "data" in json
    ? json.data
    : undefined
  const list = Array.isArray(json) ? json : Array.isArray(data) ? data : [data ?? json]
  return list.flatMap((value) => entry(value) ?? [])
}

/**
 * The Code42 error of an answer, whatever its content type: from the body, or, when the body says nothing,
 * from the HTTP reason phrase (2014 servers answered some errors with an empty body and the array there).
 */
export const parseErrorBody = (body: string, reason?: string | undefined): ErrorBody => {
  const found = entries(body)
  const all = found.length > 0 ? found : entries(reason)
  // A rule code says more than a generic entry next to it.
  return all.find((e) => e.errorName !== undefined && Code42Error.isOrgRuleCode(e.errorName)) ?? all[0] ?? {}
}

/** The wordings Code42 uses for an org that does not exist. */
const notFound = /organization was not found|unable to find org/i

/** A 500 `SYSTEM` refusal of an action (e.g. on the signed-in user's own org): final, not a server fault. */
const refusal = /\bown org|\b(cannot|can ?not|can't|not allowed to|may not) (block|unblock|deactivate|activate|reactivate)/i

/** Statuses that say "try again" rather than "this request is wrong". */
const transientStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/**
 * The error of a non-2xx answer (other than the 401 the token logic handles first), wrapped in `Retryable`
 * when another attempt is safe. The Code42 code decides before the status: old servers answer refusals with
 * 500.
 */
export const fromStatus = (
  operation: string,
  kind: Kind,
  status: number,
  body: string,
  reason?: string | undefined
): Failure => {
  const parsed = parseErrorBody(body, reason)
  const details = { operation, status, errorName: parsed.errorName, description: parsed.description }
  if (parsed.errorName !== undefined && Code42Error.isOrgRuleCode(parsed.errorName)) {
    return new Code42Error.OrgRuleError({ ...details, code: parsed.errorName })
  }
  if (parsed.description !== undefined && notFound.test(parsed.description)) {
    return new Code42Error.NotFoundError(details)
  }
  if (status === 429) {
    // Safe whatever the kind: the server refused before doing anything.
    return new Retryable({ error: new Code42Error.RateLimitedError(details) })
  }
  if (status === 500 && parsed.description !== undefined && refusal.test(parsed.description)) {
    return new Code42Error.RefusedError(details)
  }
  if (status === 500 && parsed.named === true && parsed.errorName!.toUpperCase() !== "SYSTEM") {
    // v1 validation answers 500 with its own code (e.g. EMAIL_INVALID): the request was refused, not lost. A
    // code in another shape (the gateway's `{"code", "message"}`) on a 500 is a server fault like any other.
    return new Code42Error.BadRequestError(details)
  }
  if (kind === "once" && (status >= 500 || status === 408)) {
    return new Code42Error.UnknownOutcomeError({
      ...details,
      reason: `Code42 answered ${status} after the request was sent`
    })
  }
  const error = status === 401
    ? new Code42Error.UnauthorizedError(details)
    : status === 403
    ? new Code42Error.ForbiddenError(details)
    : status === 404
    ? new Code42Error.NotFoundError(details)
    : status === 408
    ? new Code42Error.TransportError({ ...details, reason: "the server timed out waiting for the request" })
    : status === 409
    ? new Code42Error.ConflictError(details)
    : status >= 500
    ? new Code42Error.ServerError(details)
    : new Code42Error.BadRequestError(details)
  return transientStatuses.has(status) ? new Retryable({ error }) : error
}

/** Error codes that mean the connection was never made, so the request cannot have reached the server. */
const notSentCodes: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT"
])

/** The first `code` found along an error's `cause` chain (Node and undici put it at different depths). */
const errorCode = (cause: unknown): string | undefined => {
  for (let current = cause, depth = 0; typeof current === "object" && current !== null && depth < 5; depth++) {
    const code = (current as { readonly code?: unknown }).code
    if (typeof code === "string") return code
    current = (current as { readonly cause?: unknown }).cause
  }
  return undefined
}

/** A short description of a wire failure, without the request (its headers carry credentials). */
const describe = (cause: unknown, code: string | undefined): string => {
  const message = cause instanceof Error ? cause.message : "the connection failed"
  return code === undefined || message.includes(code) ? message : `${message} (${code})`
}

/** The host of a request's URL, without the rest (a query may carry what is not for a message). */
const hostOf = (url: string): string => {
  try {
    return new URL(url).host
  } catch {
    return "of the URL"
  }
}

/** The error of an exchange that got no (complete) answer. */
export const fromHttpClientError = (
  operation: string,
  kind: Kind,
  error: HttpClientError.HttpClientError
): Failure => {
  if (error._tag === "RequestError" && error.reason !== "Transport") {
    return new Code42Error.TransportError({ operation, reason: `the request could not be built (${error.reason})` })
  }
  const cause = error.cause
  const code = errorCode(cause)
  if (error._tag === "RequestError" && code === "ENOTFOUND") {
    // The name does not exist (EAI_AGAIN, a resolver failing for now, stays transient): a mistyped address, which
    // the retry schedule would only hide.
    return new Code42Error.TransportError({ operation, reason: `cannot resolve host ${hostOf(error.request.url)} (ENOTFOUND)` })
  }
  const notSent = error._tag === "RequestError" && code !== undefined && notSentCodes.has(code)
  const reason = error._tag === "ResponseError"
    ? `the connection broke while reading the answer: ${describe(cause, code)}`
    : describe(cause, code)
  if (kind === "once" && !notSent) {
    return new Code42Error.UnknownOutcomeError({
      operation,
      status: error._tag === "ResponseError" ? error.response.status : undefined,
      reason: `the connection failed after the request was sent: ${reason}`
    })
  }
  return new Retryable({ error: new Code42Error.TransportError({ operation, reason }) })
}

/** The error of an exchange cut off while the answer was on its way (the read was abandoned). */
export const fromCutOff = (operation: string, kind: Kind): Failure =>
  kind === "once"
    ? new Code42Error.UnknownOutcomeError({ operation, reason: "the connection was cut while the answer arrived" })
    : new Retryable({ error: new Code42Error.TransportError({ operation, reason: "the connection was cut while the answer arrived" }) })

/** The error of an exchange that ran past the per-request timeout. */
export const fromTimeout = (operation: string, kind: Kind, timeout: string): Failure =>
  kind === "once"
    ? new Code42Error.UnknownOutcomeError({ operation, reason: `the request was sent and got no answer in ${timeout}` })
    : new Retryable({ error: new Code42Error.TransportError({ operation, reason: `no answer in ${timeout}` }) })
