/**
 * The Incydr API gateway family (code42-api.md section 10), on the same tenant as the other families: OAuth
 * for API clients (`POST /v1/oauth`), the deprecated user sign-in (`GET /v1/auth`), and the guid-addressed
 * org routes under `/v1/orgs`, answered exactly in the published shapes: no envelope, `OrgResponse` bodies,
 * an empty 200 for activate and deactivate, no block or unblock.
 *
 * The gateway's org errors are not published; they are answered as `{"code", "message"}` with 400 for a
 * refused request, 404 for an unknown org, 409 for a duplicate name and 500 for what the server forbids.
 */
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Clock, Effect, Either, Schema } from "effect"
import { type BasicCredentials, parseBasic } from "../Credentials.js"
import { toGatewayJson } from "../OrgBody.js"
import type { OrgNode, OrgRefused } from "../Tenant.js"
import { authenticated, callerOrg, signInRequest } from "./authRoutes.js"
import { listed } from "./orgRoutes.js"
import { parseFlag, queryParams } from "./responses.js"
import { SimulatorState } from "./state.js"

/** A refused gateway call. */
class GatewayError extends Schema.TaggedError<GatewayError>()("GatewayError", {
  status: Schema.Number,
  code: Schema.String,
  message: Schema.String
}) {}

const statusOf: Record<OrgRefused["kind"], number> = { invalid: 400, duplicate: 409, forbidden: 500 }

const fromRefusal = (refused: OrgRefused) =>
  new GatewayError({ status: statusOf[refused.kind], code: refused.code, message: refused.description })

const notFound = new GatewayError({ status: 404, code: "NOT_FOUND", message: "Organization was not found" })

/** A server without guids in its bodies (legacy bodies) predates the gateway. */
const available = Effect.flatMap(SimulatorState, (state) =>
  state.rules().legacyBodies
    ? Effect.fail(new GatewayError({ status: 404, code: "NOT_FOUND", message: "Resource not found" }))
    : Effect.void)

/** Any signed-in caller; the same tokens as the other families. */
const caller = Effect.zipRight(
  available,
  Effect.mapError(authenticated, (error) =>
    new GatewayError({ status: 401, code: "UNAUTHORIZED", message: error.description }))
)

const json = (body: unknown) => HttpServerResponse.unsafeJson(body)

/** The form fields of an `application/x-www-form-urlencoded` body; none for any other body. */
const formFields = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const type = request.headers["content-type"] ?? ""
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) return new URLSearchParams()
  return new URLSearchParams(yield* Effect.orElseSucceed(request.text, () => ""))
})

/**
 * `POST /v1/oauth`: client credentials from Basic or from the form; `grant_type`, in the query or the form,
 * must be `client_credentials` when given. The answer is not wrapped.
 */
const oauth = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const form = yield* formFields
  const grantType = (yield* queryParams)["grant_type"] ?? form.get("grant_type") ?? "client_credentials"
  if (grantType !== "client_credentials") {
    return yield* new GatewayError({
      status: 400,
      code: "UNSUPPORTED_GRANT_TYPE",
      message: `grant_type must be client_credentials, not "${grantType}"`
    })
  }
  const authorization = request.headers["authorization"]
  const clientId = form.get("client_id")
  const secret = form.get("client_secret")
  const credentials: BasicCredentials | undefined = authorization !== undefined
    ? parseBasic(authorization)
    : clientId !== null && secret !== null
    ? { user: clientId, secret }
    : undefined
  if (authorization !== undefined && credentials === undefined) {
    return yield* new GatewayError({ status: 400, code: "INVALID_REQUEST", message: "Authorization must be Basic" })
  }
  const state = yield* SimulatorState
  const token = state.credentials.clientToken(credentials, yield* Clock.currentTimeMillis, state.tenant().tenantUid)
  if (Either.isLeft(token)) {
    return yield* new GatewayError({ status: 401, code: "INVALID_CLIENT", message: token.left.description })
  }
  return json({ token_type: "bearer", expires_in: state.credentials.clientTokenSeconds, access_token: token.right })
})

/** `GET /v1/auth` (deprecated): a local account's Basic credentials, plus `totp-auth` under two-factor. */
const userAuth = Effect.gen(function*() {
  const token = yield* signInRequest
  if (Either.isLeft(token)) {
    return yield* new GatewayError({ status: 401, code: token.left.code, message: token.left.description })
  }
  return json({ bearerToken: token.right })
})

const target = Effect.gen(function*() {
  yield* caller
  const orgGuid = (yield* HttpRouter.params)["orgGuid"] ?? ""
  return (yield* SimulatorState).tenant().byGuid(orgGuid) ?? (yield* notFound)
})

/** `active=true|false` (also `True`/`False`); every org in one answer, as the published list has no paging. */
const list = Effect.gen(function*() {
  yield* caller
  const active = yield* Effect.mapError(
    parseFlag("active", (yield* queryParams)["active"]),
    (error) => new GatewayError({ status: 400, code: "INVALID_REQUEST", message: error.description })
  )
  const size = (yield* SimulatorState).tenant().size
  return json(yield* listed({ pgNum: 1, pgSize: size, active }, toGatewayJson))
})

const Body = Schema.Struct({
  orgName: Schema.optional(Schema.Unknown),
  orgExtRef: Schema.optional(Schema.NullOr(Schema.String)),
  notes: Schema.optional(Schema.NullOr(Schema.String)),
  parentOrgGuid: Schema.optional(Schema.NullOr(Schema.String))
})

const body = Effect.mapError(
  HttpServerRequest.schemaBodyJson(Body),
  (error) =>
    new GatewayError({
      status: 400,
      code: "INVALID_REQUEST",
      message: `The request body is not valid: ${error._tag === "ParseError" ? error.message : "malformed JSON"}`
    })
)

const write = (apply: (now: number) => Either.Either<OrgNode, OrgRefused>) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => Either.mapLeft(apply(now), fromRefusal))

/** Creates under `parentOrgGuid`, or under the top-level org when it is null or left out. */
const create = Effect.gen(function*() {
  yield* caller
  const fields = yield* body
  const state = yield* SimulatorState
  const tenant = state.tenant()
  const parent = fields.parentOrgGuid == null ? tenant.top : tenant.byGuid(fields.parentOrgGuid)
  if (parent === undefined) return yield* notFound
  const org = yield* write((now) =>
    tenant.create(parent, { orgName: fields.orgName, orgExtRef: fields.orgExtRef, notes: fields.notes }, state.rules(), now)
  )
  return json(toGatewayJson(org))
})

/** `orgName` is required; `orgExtRef` and `notes` sent as null (as the SDK does when not given) keep their values. */
const update = Effect.gen(function*() {
  const org = yield* target
  const fields = yield* body
  const state = yield* SimulatorState
  const updated = yield* write((now) =>
    state.tenant().update(org, {
      orgName: fields.orgName ?? null,
      orgExtRef: fields.orgExtRef ?? undefined,
      notes: fields.notes ?? undefined
    }, state.rules(), now)
  )
  return json(toGatewayJson(updated))
})

/** Activate or deactivate: 200 with an empty body; the caller's own org is refused as on the other families. */
const changeActive = (change: "deactivate" | "reactivate") =>
  Effect.gen(function*() {
    const org = yield* target
    const own = yield* Effect.orElseSucceed(callerOrg, () => undefined)
    const verb = change === "deactivate" ? "deactivate" : "activate"
    if (org === own) {
      return yield* new GatewayError({ status: 500, code: "SYSTEM", message: `You cannot ${verb} your own org` })
    }
    const state = yield* SimulatorState
    yield* write((now) =>
      change === "deactivate" ? state.tenant().deactivate(org, now, state.rules()) : state.tenant().reactivate(org, now)
    )
    return HttpServerResponse.empty({ status: 200 })
  })

export const gatewayRoutes = HttpRouter.empty.pipe(
  HttpRouter.post("/v1/oauth", oauth),
  HttpRouter.get("/v1/auth", userAuth),
  HttpRouter.get("/v1/orgs", list),
  HttpRouter.post("/v1/orgs", create),
  HttpRouter.get("/v1/orgs/:orgGuid", Effect.map(target, (org) => json(toGatewayJson(org)))),
  HttpRouter.put("/v1/orgs/:orgGuid", update),
  HttpRouter.post("/v1/orgs/:orgGuid/activate", changeActive("reactivate")),
  HttpRouter.post("/v1/orgs/:orgGuid/deactivate", changeActive("deactivate")),
  HttpRouter.catchTag("GatewayError", (error) =>
    Effect.succeed(HttpServerResponse.unsafeJson({ code: error.code, message: error.message }, { status: error.status })))
)
