/**
 * The two ways of getting a bearer token (code42-api.md section 5): a local account's JWT, or an API client's
 * client-credentials token with its lifetime.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Duration, Effect, Either, Option, Redacted, Schema } from "effect"
import type * as ClientConfig from "../ClientConfig.js"
import * as Code42Error from "../Code42Error.js"
import type { Kind } from "./failure.js"
import type { Token } from "./tokenCache.js"

export const operation = "signIn"

/**
 * The token request of the endpoint family; a local account's two-factor code is asked for on every sign-in.
 * The gateway signs API clients in at `POST /v1/oauth` and local accounts (deprecated there) at `GET /v1/auth`.
 */
export const request = (auth: ClientConfig.Auth, api: ClientConfig.Api): Effect.Effect<{
  readonly request: HttpClientRequest.HttpClientRequest
  readonly kind: Kind
}> => {
  switch (auth._tag) {
    case "LocalAccount": {
      const base = (api === "gateway"
        ? HttpClientRequest.get("/v1/auth")
        : HttpClientRequest.get("/api/v3/auth/jwt").pipe(HttpClientRequest.setUrlParam("useBody", "true"))
      ).pipe(HttpClientRequest.basicAuth(auth.username, auth.password))
      const withCode = (code: Redacted.Redacted) =>
        HttpClientRequest.setHeader(base, "totp-auth", Redacted.value(code))
      return Effect.map(
        auth.totp === undefined ? Effect.succeed(base) : Effect.map(auth.totp, withCode),
        (request) => ({ request, kind: "read" })
      )
    }
    case "ApiClient": {
      return Effect.succeed({
        request: HttpClientRequest.post(api === "gateway" ? "/v1/oauth" : "/api/v3/oauth/token").pipe(
          HttpClientRequest.setUrlParam("grant_type", "client_credentials"),
          HttpClientRequest.basicAuth(auth.clientId, auth.secret)
        ),
        // Asking for a token twice only yields two tokens.
        kind: "idempotent"
      })
    }
  }
}

/**
 * What answered the sign-in when it is not the Code42 API: a 404 (no such route: wrong host or path), or an
 * HTML page (a proxy's or another site's) where the API answers JSON.
 */
export const notTheApi = (answer: {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: string
}): string | undefined => {
  if (answer.status === 404) return "404 (no such address)"
  // A 5xx or 429 page is an outage or a limit on the way to the right server, retried as such.
  if (answer.status >= 406 || answer.status === 401 || answer.status === 403) return undefined
  try {
    JSON.parse(answer.body)
    return undefined
  } catch {
    const html = /html/i.test(answer.headers["content-type"] ?? "") || /^\s*</.test(answer.body)
    return html ? `an HTML page (status ${answer.status})` : undefined
  }
}

const LocalAccountAnswer = Schema.Union(
  Schema.Struct({ v3_user_token: Schema.String }),
  Schema.transform(Schema.Struct({ bearerToken: Schema.String }), Schema.Struct({ v3_user_token: Schema.String }), {
    strict: true,
    decode: ({ bearerToken }) => ({ v3_user_token: bearerToken }),
    encode: ({ v3_user_token }) => ({ bearerToken: v3_user_token })
  })
)
const ApiClientAnswer = Schema.Struct({ access_token: Schema.String, expires_in: Schema.optional(Schema.Unknown) })

/** A token's lifetime in seconds, as a number or as text; none when the answer gives no usable one. */
const lifetime = (value: unknown): Option.Option<Duration.Duration> => {
  const seconds = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN
  return Number.isFinite(seconds) ? Option.some(Duration.seconds(seconds)) : Option.none()
}

/**
 * The token from the (already unwrapped) answer. A failure names the missing field only: the formatted
 * Schema issue would quote the answer, token included.
 */
export const decode = (auth: ClientConfig.Auth, payload: unknown): Either.Either<Token, Code42Error.DecodeError> => {
  const missing = (field: string) =>
    new Code42Error.DecodeError({ operation, reason: `the sign-in answer has no ${field}` })
  switch (auth._tag) {
    case "LocalAccount": {
      return Schema.decodeUnknownEither(LocalAccountAnswer)(payload).pipe(Either.mapBoth({
        onLeft: () => missing("v3_user_token"),
        onRight: (answer) => ({ value: Redacted.make(answer.v3_user_token), expiresIn: Option.none() })
      }))
    }
    case "ApiClient": {
      return Schema.decodeUnknownEither(ApiClientAnswer)(payload).pipe(Either.mapBoth({
        onLeft: () => missing("access_token"),
        onRight: (answer) => ({
          value: Redacted.make(answer.access_token),
          expiresIn: lifetime(answer.expires_in)
        })
      }))
    }
  }
}
