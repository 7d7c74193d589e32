/**
 * The admin commands' side of the admin API: `orgsync approve`, `reject`, `suspend` and `resume` reach the
 * running daemon at its `listen` address with the admin token from the environment, and turn every way that
 * can fail (no token, no daemon, a wrong token, a change no longer held) into one sentence.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { PlanFormat } from "@c42/reconcile"
import { Data, Effect, Option, Redacted } from "effect"
import type * as AdminApi from "./AdminApi.js"
import * as AdminToken from "./AdminToken.js"

export class AdminClientError extends Data.TaggedError("AdminClientError")<{ readonly message: string }> {}

export interface Listen {
  readonly host: string
  readonly port: number
}

/** The address to call: a daemon listening on every address is reached on loopback. */
export const baseUrl = (listen: Listen): string => {
  const host = listen.host === "0.0.0.0" || listen.host === "" ? "127.0.0.1" : listen.host === "::" ? "::1" : listen.host
  return `http://${host.includes(":") ? `[${host}]` : host}:${listen.port}`
}

export type HeldJson = AdminApi.HeldJson

const errorOf = (json: unknown): string | undefined =>
  typeof json === "object" && json !== null && "error" in json && typeof json.error === "string" ? json.error : undefined

/** POSTs `body` (as JSON, the only type the admin API takes) to the admin endpoint `path`; the JSON of a 200. */
export const call = (listen: Listen, path: string, body: unknown = {}) =>
  Effect.gen(function*() {
    const token = yield* AdminToken.tokenFromEnv.pipe(Effect.mapError((e) => new AdminClientError({ message: e.message })))
    if (Option.isNone(token)) {
      return yield* new AdminClientError({
        message: "no admin token: set ORGSYNC_ADMIN_TOKEN (or ORGSYNC_ADMIN_TOKEN_FILE) to the token the daemon was started with"
      })
    }
    const base = baseUrl(listen)
    const client = yield* HttpClient.HttpClient
    const request = HttpClientRequest.post(`${base}${path}`).pipe(
      HttpClientRequest.bearerToken(Redacted.value(token.value)),
      HttpClientRequest.bodyUnsafeJson(body)
    )
    const response = yield* client.execute(request).pipe(
      Effect.timeout("30 seconds"),
      Effect.mapError(() =>
        new AdminClientError({
          message: `no orgsync daemon answers on ${base}: is orgsync run running there? (--listen or the listen ` +
            "setting names its address)"
        })
      )
    )
    const json: unknown = yield* response.json.pipe(Effect.orElseSucceed(() => undefined))
    if (response.status === 200) return json
    const said = errorOf(json)
    const message = response.status === 401
      ? `the daemon on ${base} refused the admin token (401): ORGSYNC_ADMIN_TOKEN must be the token it was started with`
      : said !== undefined
      ? `the daemon on ${base} answered ${response.status}: ${said}`
      : `the daemon on ${base} answered ${response.status} to ${path}: is it an orgsync daemon of this version?`
    return yield* new AdminClientError({ message })
  })

/** `{"approved": [...]}` and `{"rejected": [...]}` answers, one line per change. */
export const describeHeld = (list: ReadonlyArray<HeldJson>): ReadonlyArray<string> =>
  list.map((held) =>
    `  ${held.action} ${held.path} (reaches ${PlanFormat.plural(held.reach, "org")}) [${held.id}]`
  )
