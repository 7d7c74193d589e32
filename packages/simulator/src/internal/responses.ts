/**
 * The shapes every answer takes (code42-api.md section 3): the success envelope and the error array.
 */
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Clock, Data, Effect } from "effect"

/**
 * A failed call, answered with the Code42 error array: as the body (the default), wrapped in `data`, or in
 * the HTTP reason phrase of an empty body (section 9).
 */
export class ApiError extends Data.TaggedError("ApiError")<{
  readonly status: number
  readonly code: string
  readonly description: string
  readonly form?: "array" | "data" | "reasonPhrase" | undefined
}> {}

export const errorBody = (code: string, description: string) => [{ name: code, description, objects: [] }]

export const errorResponse = (error: ApiError): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(errorBody(error.code, error.description), { status: error.status })

/** Answers an `ApiError` in its form. */
export const answerError = (error: ApiError) =>
  Effect.gen(function*() {
    const array = errorBody(error.code, error.description)
    switch (error.form) {
      case "data":
        return HttpServerResponse.unsafeJson({ data: array }, { status: error.status })
      case "reasonPhrase": {
        // The platform's response has no reason phrase; Node's writeHead keeps one set beforehand.
        const request = yield* HttpServerRequest.HttpServerRequest
        // A reason phrase holds Latin-1 only: other characters travel as JSON escapes.
        NodeHttpServerRequest.toServerResponse(request).statusMessage = JSON.stringify(array).replace(
          /[^\x20-\x7e]/g,
          (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`
        )
        return HttpServerResponse.empty({ status: error.status })
      }
      default:
        return errorResponse(error)
    }
  })

/** The query string as the envelope echoes it; a repeated parameter counts by its first value. */
export const queryParams: Effect.Effect<Record<string, string>, never, HttpServerRequest.ParsedSearchParams> =
  Effect.map(HttpServerRequest.ParsedSearchParams, (params) => {
    const flat: Record<string, string> = {}
    for (const [key, value] of Object.entries(params)) {
      const first = Array.isArray(value) ? value[0] : value
      if (first !== undefined) flat[key] = first
    }
    return flat
  })

/** `{"metadata": {"timestamp", "params"}, "data": ...}` with status 200. */
export const envelope = (data: unknown) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const params = yield* queryParams
    return HttpServerResponse.unsafeJson({ metadata: { timestamp: new Date(now).toISOString(), params }, data })
  })

/** Flags arrive as `true`/`false` or, from Python clients, `True`/`False`. */
export const parseFlag = (name: string, value: string | undefined): Effect.Effect<boolean | undefined, ApiError> => {
  if (value === undefined) return Effect.succeed(undefined)
  switch (value.toLowerCase()) {
    case "true":
      return Effect.succeed(true)
    case "false":
      return Effect.succeed(false)
    default:
      return Effect.fail(
        new ApiError({ status: 400, code: "SYSTEM", description: `${name} must be true or false, not "${value}"` })
      )
  }
}
