/**
 * Sign-in, token and identity endpoints (code42-api.md section 5), and the guard every other API route
 * passes through.
 */
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Clock, Effect, Either } from "effect"
import { type Account, invalidCredentials, parseBasic, type Principal } from "../Credentials.js"
import type { OrgNode, Tenant } from "../Tenant.js"
import { ApiError, envelope, queryParams } from "./responses.js"
import { SimulatorState } from "./state.js"

/** The caller of this request, or a 401 with the credentials error. */
export const authenticated: Effect.Effect<
  Principal,
  ApiError,
  SimulatorState | HttpServerRequest.HttpServerRequest
> = Effect.gen(function*() {
  const state = yield* SimulatorState
  const request = yield* HttpServerRequest.HttpServerRequest
  const principal = state.credentials.authenticate(request.headers["authorization"], yield* Clock.currentTimeMillis)
  if (principal === undefined) {
    return yield* new ApiError({ status: 401, code: "SYSTEM", description: invalidCredentials })
  }
  return principal
})

/** The org of a user's account; one a reset removed falls back to the top-level org. */
const accountOrg = (account: Account, tenant: Tenant): OrgNode =>
  (account.orgUid === undefined ? undefined : tenant.byUid(account.orgUid)) ?? tenant.top

/** The signed-in user's own org; API clients have none. */
export const callerOrg: Effect.Effect<
  OrgNode | undefined,
  ApiError,
  SimulatorState | HttpServerRequest.HttpServerRequest
> = Effect.gen(function*() {
  const principal = yield* authenticated
  return principal._tag === "User" ? accountOrg(principal.account, (yield* SimulatorState).tenant()) : undefined
})

/**
 * The signed-in user and their org. API-client tokens have no user, and Code42 answers 500 for them.
 */
export const signedInUser: Effect.Effect<
  { readonly account: Account; readonly org: OrgNode },
  ApiError,
  SimulatorState | HttpServerRequest.HttpServerRequest
> = Effect.gen(function*() {
  const principal = yield* authenticated
  if (principal._tag === "ApiClient") {
    return yield* new ApiError({
      status: 500,
      code: "SYSTEM",
      description: "API client tokens have no signed-in user"
    })
  }
  const account = principal.account
  return { account, org: accountOrg(account, (yield* SimulatorState).tenant()) }
})

/** A local account's sign-in from this request's Basic credentials and `totp-auth`: a token, or why not. */
export const signInRequest = Effect.gen(function*() {
  const state = yield* SimulatorState
  const request = yield* HttpServerRequest.HttpServerRequest
  return state.credentials.signIn(
    request.headers["authorization"],
    request.headers["totp-auth"],
    yield* Clock.currentTimeMillis,
    state.tenant().tenantUid
  )
})

const signIn = Effect.gen(function*() {
  const token = yield* signInRequest
  if (Either.isLeft(token)) {
    return yield* new ApiError({ status: 401, code: token.left.code, description: token.left.description })
  }
  return yield* envelope({ v3_user_token: token.right })
})

const oauthToken = Effect.gen(function*() {
  const params = yield* queryParams
  if (params["grant_type"] !== "client_credentials") {
    return yield* new ApiError({
      status: 400,
      code: "SYSTEM",
      description: "grant_type must be client_credentials"
    })
  }
  const state = yield* SimulatorState
  const request = yield* HttpServerRequest.HttpServerRequest
  const token = state.credentials.clientToken(
    parseBasic(request.headers["authorization"]),
    yield* Clock.currentTimeMillis,
    state.tenant().tenantUid
  )
  if (Either.isLeft(token)) {
    return yield* new ApiError({ status: 401, code: token.left.code, description: token.left.description })
  }
  // The one answer that is not wrapped in an envelope.
  return HttpServerResponse.unsafeJson({
    access_token: token.right,
    token_type: "bearer",
    expires_in: state.credentials.clientTokenSeconds
  })
})

const userMy = Effect.gen(function*() {
  const { account, org } = yield* signedInUser
  const legacy = (yield* SimulatorState).rules().legacyBodies
  return yield* envelope({
    userId: account.userId,
    userUid: account.userUid,
    status: "Active",
    username: account.username,
    email: account.username.includes("@") ? account.username : null,
    firstName: null,
    lastName: null,
    orgId: org.orgId,
    orgUid: org.orgUid,
    ...(legacy ? {} : { orgGuid: org.orgGuid }),
    orgName: org.orgName,
    active: true,
    blocked: false
  })
})

const customerMy = Effect.gen(function*() {
  yield* authenticated
  const tenant = (yield* SimulatorState).tenant()
  return yield* envelope({
    tenantUid: tenant.tenantUid,
    name: tenant.top.orgName,
    registrationKey: tenant.top.registrationKey
  })
})

export const authRoutes = HttpRouter.empty.pipe(
  HttpRouter.get("/api/v3/auth/jwt", signIn),
  HttpRouter.get("/c42api/v3/auth/jwt", signIn),
  HttpRouter.post("/api/v3/oauth/token", oauthToken),
  // Every account here signs in locally; SDKs only read this to explain a failed login.
  HttpRouter.get("/api/v3/LoginConfiguration", Effect.succeed(HttpServerResponse.unsafeJson({ loginType: "LOCAL" }))),
  HttpRouter.get("/api/v1/User/my", userMy),
  HttpRouter.get("/api/User/my", userMy),
  HttpRouter.get("/api/v3/customer/my", customerMy)
)
