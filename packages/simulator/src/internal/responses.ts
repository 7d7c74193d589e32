/**
 * The shapes every answer takes (code42-api.md section 3): the success envelope and the error array.
 */
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Clock, Data, Effect } from "effect"

/** A failed call, answered with the Code42 error array. */
export class ApiError extends Data.TaggedError("ApiError")<{
  readonly status: number
  readonly code: string
  readonly description: string
}> {}

export const errorBody = (code: string, description: string) => [{ name: code, description, objects: [] }]

export const errorResponse = (error: ApiError): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(errorBody(error.code, error.description), { status: error.status })

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
