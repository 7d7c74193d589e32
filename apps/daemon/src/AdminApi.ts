/**
 * The daemon's admin endpoints, beside the status endpoints on `--listen`: approve and reject held changes,
 * suspend and resume. Each needs `Authorization: Bearer <token>` with the token of `ORGSYNC_ADMIN_TOKEN` (or
 * the file named by `ORGSYNC_ADMIN_TOKEN_FILE`); without a configured token they answer 403, disabled. The
 * token is compared in constant time and never logged. Each needs `Content-Type: application/json` too (415
 * otherwise), so that no HTML form of another site can send one.
 *
 * - `POST /api/approvals` `{"ids": ["<id>", ...]}` or `{"all": true}`: approve held changes; a pass starts.
 * - `POST /api/rejections` `{"ids": ["<id>", ...]}`: reject held changes; they stay unapplied.
 * - `POST /api/suspend`, `POST /api/resume` (no body, or `{}`): stop and restart writing; passes still plan
 *   while suspended. A suspension is answered once no write can reach Code42 any more (those being sent or
 *   waiting to be sent again are cut short).
 */
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Option, Schema } from "effect"
import { AdminToken, sameToken } from "./AdminToken.js"
import { type ControlError, DaemonControl, type Held } from "./DaemonControl.js"
import { Policy } from "@c42/reconcile"

const noStore = { "cache-control": "no-store" }

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  HttpServerResponse.unsafeJson(body, { status, headers: { ...noStore, ...headers } })

/** The media type of a `Content-Type` header, without its parameters: `application/json`. */
const mediaType = (header: string | undefined): string => (header ?? "").split(";")[0]!.trim().toLowerCase()

/**
 * Runs `handle` with the daemon's control, only for a request with the configured token, sent as JSON (or with
 * no body at all, where the endpoint reads none). Both
 * are optional services: a server without them (a test of the status endpoints) has the admin API disabled.
 */
const authorized = <E, R>(
  handle: (control: DaemonControl["Type"]) => Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>,
  /** The endpoint reads no body: none at all, without a Content-Type, is accepted too. */
  bodyless = false
) =>
  Effect.gen(function*() {
    const token = Option.flatten(yield* Effect.serviceOption(AdminToken))
    const control = yield* Effect.serviceOption(DaemonControl)
    if (Option.isNone(token) || Option.isNone(control)) {
      return answer(403, {
        error: "the admin API is disabled: start the daemon with ORGSYNC_ADMIN_TOKEN or ORGSYNC_ADMIN_TOKEN_FILE set"
      })
    }
    const request = yield* HttpServerRequest.HttpServerRequest
    const header = request.headers["authorization"] ?? ""
    const bearer = /^Bearer\s+(.+)$/i.exec(header)
    if (bearer === null || !sameToken(bearer[1]!.trim(), token.value)) {
      yield* Effect.logWarning("admin request refused: missing or wrong token").pipe(
        // The path only: a query string may hold a token (`?token=...`).
        Effect.annotateLogs({ method: request.method, url: request.url.split("?")[0] })
      )
      return answer(
        401,
        { error: bearer === null ? "an admin request needs Authorization: Bearer <token>" : "wrong admin token" },
        { "www-authenticate": "Bearer" }
      )
    }
    const type = mediaType(request.headers["content-type"])
    const empty = type === "" && bodyless && (yield* Effect.orElseSucceed(request.text, () => "?")) === ""
    if (type !== "application/json" && !empty) {
      return answer(415, {
        error: `an admin request needs Content-Type: application/json, not ${type === "" ? "none" : type}`
      })
    }
    return yield* handle(control.value)
  })

const Ids = Schema.Struct({ ids: Schema.NonEmptyArray(Schema.String) })
const Approval = Schema.Union(Ids, Schema.Struct({ all: Schema.Literal(true) }))

/** The JSON body, or a 400 that says what was expected. */
const body = <A, I>(schema: Schema.Schema<A, I>, expected: string) =>
  HttpServerRequest.schemaBodyJson(schema).pipe(
    Effect.mapError(() => answer(400, { error: `expected a JSON body ${expected}` }))
  )

/** A held change as the admin answers show it. */
export interface HeldJson {
  readonly id: string
  readonly action: string
  readonly path: string
  readonly orgUid: string | null
  readonly reach: number
  readonly checksum: string
}

export const heldJson = (held: Held): HeldJson => ({
  id: held.id,
  action: held.change.action,
  path: held.change.path,
  orgUid: held.change.orgUid,
  reach: Policy.reach(held.change),
  checksum: held.checksum
})

const refused = (error: ControlError) =>
  answer(error.reason === "not-approvable" || error.reason === "too-late" ? 409 : error.reason === "not-held" ? 404 : 400, { error: error.message })

const approvals = authorized((control) => Effect.gen(function*() {
  const request = yield* body(Approval, `{"ids": ["<id>", ...]} or {"all": true}`)
  const approved = yield* control.approve("all" in request ? "all" : request.ids).pipe(Effect.mapError(refused))
  return answer(200, { approved: approved.map(heldJson), pass: "started" })
}).pipe(Effect.merge))

const rejections = authorized((control) => Effect.gen(function*() {
  const request = yield* body(Ids, `{"ids": ["<id>", ...]}`)
  const rejected = yield* control.reject(request.ids).pipe(Effect.mapError(refused))
  return answer(200, { rejected: rejected.map(heldJson) })
}).pipe(Effect.merge))

const suspension = (suspend: boolean) =>
  authorized((control) => Effect.gen(function*() {
    const changed = yield* (suspend ? control.suspend : control.resume)
    return answer(200, { suspended: suspend, changed })
  }), true)

export const router = HttpRouter.empty.pipe(
  HttpRouter.post("/api/approvals", approvals),
  HttpRouter.post("/api/rejections", rejections),
  HttpRouter.post("/api/suspend", suspension(true)),
  HttpRouter.post("/api/resume", suspension(false))
)
