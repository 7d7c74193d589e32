import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, TestClock } from "effect"
import { Simulator, Totp } from "../src/index.js"
import { basic, request, signIn } from "./support.js"

const invalidCredentials = [{ name: "SYSTEM", description: "Invalid or missing credentials", objects: [] }]
const totpSecret = "JBSWY3DPEHPK3PXP"

const clientToken = (sim: Simulator.Handle, clientId: string, secret: string) =>
  request(sim, "POST", "/api/v3/oauth/token?grant_type=client_credentials", { authorization: basic(clientId, secret) })

describe("local accounts", () => {
  it.scoped("sign in with Basic at both JWT paths and call with either Authorization form", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.start({ port: 0 })
      for (const path of ["/api/v3/auth/jwt?useBody=true", "/c42api/v3/auth/jwt?useBody=true"]) {
        const reply = yield* request(sim, "GET", path, { authorization: basic("admin", "secret") })
        expect(reply.status).toBe(200)
        expect(reply.body.metadata.params).toEqual({ useBody: "true" })
        const token: string = reply.body.data.v3_user_token
        expect(token.split(".")).toHaveLength(3)
        for (const authorization of [`Bearer ${token}`, `v3_user_token ${token}`]) {
          const org = yield* request(sim, "GET", "/api/v1/Org/my", { authorization })
          expect([authorization.split(" ")[0], org.status]).toEqual([authorization.split(" ")[0], 200])
        }
      }
    }))

  it.scoped("refuse wrong passwords, unknown users and missing credentials", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.start({ port: 0 })
      const attempts = [
        { authorization: basic("admin", "wrong") },
        { authorization: basic("nobody", "secret") },
        { authorization: "Basic not-base64" },
        {}
      ]
      for (const options of attempts) {
        const reply = yield* request(sim, "GET", "/api/v3/auth/jwt?useBody=true", options)
        expect([reply.status, reply.body]).toEqual([401, invalidCredentials])
      }
    }))

  it.scoped("report the signed-in user and the tenant", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.start({ port: 0, users: [{ username: "ops@acme.test", password: "pw" }] })
      const token = yield* signIn(sim, "ops@acme.test", "pw")
      for (const path of ["/api/v1/User/my", "/api/User/my"]) {
        const user = yield* request(sim, "GET", path, { token })
        expect(user.body.data).toMatchObject({
          userId: 1,
          username: "ops@acme.test",
          email: "ops@acme.test",
          orgId: 1,
          orgUid: sim.orgs()[0]!.orgUid
        })
        expect(user.body.data.userUid).toMatch(/^\d+$/)
      }
      const customer = yield* request(sim, "GET", "/api/v3/customer/my", { token })
      expect(customer.body.data.name).toBe(sim.orgs()[0]!.orgName)
      expect(typeof customer.body.data.tenantUid).toBe("string")
      // Only the default account exists when none are configured; here it does not.
      const admin = yield* request(sim, "GET", "/api/v3/auth/jwt", { authorization: basic("admin", "secret") })
      expect(admin.status).toBe(401)
    }))

  it.scoped("explain logins without authentication", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.start({ port: 0 })
      const reply = yield* request(sim, "GET", "/api/v3/LoginConfiguration?username=admin")
      expect([reply.status, reply.body]).toEqual([200, { loginType: "LOCAL" }])
    }))
})

describe("two-factor accounts", () => {
  const at = Date.parse("2025-03-01T12:00:10.000Z")
  const jwt = (sim: Simulator.Handle, code?: string) =>
    request(sim, "GET", "/api/v3/auth/jwt?useBody=true", {
      authorization: basic("mfa", "pw"),
      headers: code === undefined ? {} : { "totp-auth": code }
    })

  it.scoped("require the current TOTP code, tolerating one step of drift", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(at)
      const sim = yield* Simulator.start({ port: 0, users: [{ username: "mfa", password: "pw", totpSecret }] })
      const missing = yield* jwt(sim)
      expect([missing.status, missing.body[0].name]).toEqual([401, "TIME_BASED_ONE_TIME_PASSWORD_REQUIRED"])
      const wrong = yield* jwt(sim, Totp.generate(totpSecret, at) === "000000" ? "111111" : "000000")
      expect([wrong.status, wrong.body[0].name]).toEqual([401, "INVALID_TIME_BASED_ONE_TIME_PASSWORD"])
      for (const offset of [-30_000, 0, 30_000]) {
        const reply = yield* jwt(sim, Totp.generate(totpSecret, at + offset))
        expect([offset, reply.status]).toEqual([offset, 200])
      }
      const stale = yield* jwt(sim, Totp.generate(totpSecret, at - 60_000))
      expect(stale.status).toBe(401)
      const withBadPassword = yield* request(sim, "GET", "/api/v3/auth/jwt", {
        authorization: basic("mfa", "nope"),
        headers: { "totp-auth": Totp.generate(totpSecret, at) }
      })
      expect(withBadPassword.body).toEqual(invalidCredentials)
    }))

  it.scoped("refuse to start with a secret that is not base32", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Simulator.start({ port: 0, users: [{ username: "mfa", password: "pw", totpSecret: "not base32!" }] })
      )
      expect(error.message).toContain("not base32")
    }))
})

describe("API clients", () => {
  it.scoped("trade id and secret for an unwrapped bearer token", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.start({ port: 0, apiClients: [{ clientId: "key-1", secret: "s3cret" }] })
      const reply = yield* clientToken(sim, "key-1", "s3cret")
      expect(reply.status).toBe(200)
      expect(reply.body).toEqual({ access_token: expect.any(String), token_type: "bearer", expires_in: 900 })
      const list = yield* request(sim, "GET", "/api/v1/Org", { token: reply.body.access_token })
      expect(list.status).toBe(200)
      expect([(yield* clientToken(sim, "key-1", "wrong")).status, (yield* clientToken(sim, "key-2", "s3cret")).status])
        .toEqual([401, 401])
      const noGrant = yield* request(sim, "POST", "/api/v3/oauth/token", { authorization: basic("key-1", "s3cret") })
      expect(noGrant.status).toBe(400)
      // No local account exists when only API clients are configured.
      const admin = yield* request(sim, "GET", "/api/v3/auth/jwt", { authorization: basic("admin", "secret") })
      expect(admin.status).toBe(401)
    }))

  it.scoped("have no current org or user: 500", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.start({ port: 0, apiClients: [{ clientId: "key-1", secret: "s3cret" }] })
      const token: string = (yield* clientToken(sim, "key-1", "s3cret")).body.access_token
      for (const path of ["/api/v1/Org/my", "/api/v1/User/my"]) {
        const reply = yield* request(sim, "GET", path, { token })
        expect([path, reply.status, reply.body[0].name]).toEqual([path, 500, "SYSTEM"])
      }
      const customer = yield* request(sim, "GET", "/api/v3/customer/my", { token })
      expect(customer.status).toBe(200)
    }))
})

describe("tokens", () => {
  it.scoped("refuse unknown tokens and calls without one", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.start({ port: 0 })
      for (const authorization of ["Bearer made-up", "v3_user_token made-up", "Basic YWRtaW46c2VjcmV0", undefined]) {
        const reply = yield* request(sim, "GET", "/api/v1/Org", { authorization })
        expect([authorization, reply.status, reply.body]).toEqual([authorization, 401, invalidCredentials])
      }
    }))

  it.scoped("expire after their lifetime: 900 s for API clients, 3600 s for users by default", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.start({
        port: 0,
        users: [{ username: "admin", password: "secret" }],
        apiClients: [{ clientId: "key-1", secret: "s3cret" }]
      })
      const user = yield* signIn(sim)
      const apiClient: string = (yield* clientToken(sim, "key-1", "s3cret")).body.access_token
      const status = (token: string) => Effect.map(request(sim, "GET", "/api/v1/Org", { token }), (r) => r.status)
      yield* TestClock.adjust(Duration.seconds(899))
      expect([yield* status(user), yield* status(apiClient)]).toEqual([200, 200])
      yield* TestClock.adjust(Duration.seconds(2))
      expect([yield* status(user), yield* status(apiClient)]).toEqual([200, 401])
      yield* TestClock.adjust(Duration.seconds(2700))
      expect(yield* status(user)).toBe(401)
    }))

  it.scoped("follow tokenTtlSeconds", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.start({ port: 0, tokenTtlSeconds: 60 })
      const token = yield* signIn(sim)
      yield* TestClock.adjust(Duration.seconds(59))
      expect((yield* request(sim, "GET", "/api/v1/Org", { token })).status).toBe(200)
      yield* TestClock.adjust(Duration.seconds(1))
      expect((yield* request(sim, "GET", "/api/v1/Org", { token })).status).toBe(401)
    }))

  it.scoped("are all revoked by expireTokens and DELETE /__sim/tokens", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.start({ port: 0 })
      const first = yield* signIn(sim)
      sim.expireTokens()
      expect((yield* request(sim, "GET", "/api/v1/Org", { token: first })).status).toBe(401)
      const second = yield* signIn(sim)
      expect((yield* request(sim, "GET", "/api/v1/Org", { token: second })).status).toBe(200)
      expect((yield* request(sim, "DELETE", "/__sim/tokens")).status).toBe(204)
      expect((yield* request(sim, "GET", "/api/v1/Org", { token: second })).status).toBe(401)
    }))
})
