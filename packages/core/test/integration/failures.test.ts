/**
 * Against the real simulator: every error class and Code42 rule code, authentication (refresh after a 401,
 * API-client expiry, two-factor), recovery from transient faults, the lost create, and rate limits.
 */
import { Simulator } from "@c42/simulator"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Either, Layer, Metric, Redacted, Stream } from "effect"
import * as ClientConfig from "../../src/ClientConfig.js"
import * as ClientMetrics from "../../src/ClientMetrics.js"
import * as OrgClient from "../../src/OrgClient.js"
import * as Sim from "./sim.js"

const seed = {
  org: {
    orgName: "Acme",
    children: [
      { orgName: "Engineering", children: [{ orgName: "Platform" }] },
      { orgName: "Contractors", blocked: true },
      { orgName: "Archive", active: false, children: [{ orgName: "Old team" }] }
    ]
  }
}

layer(Sim.layer({ seed }), { excludeTestServices: true })("failures", (it) => {
  describe("Code42 rules", () => {
    for (const api of ["v1", "v3"] as const) {
      it.scoped(`each rule code is an OrgRuleError (${api})`, () =>
        Effect.gen(function*() {
          const sim = yield* Sim.fresh
          const client = yield* Sim.connect(sim, { api })
          const create = (orgName: string, parent: string) =>
            Effect.flip(client.createOrg({ orgName, parentOrgUid: Sim.named(sim, parent).orgUid }))
          expect(yield* create("", "Engineering")).toMatchObject({ _tag: "OrgRuleError", code: "ORG_NAME_MISSING" })
          expect(yield* create("QA", "Engineering")).toMatchObject({ _tag: "OrgRuleError", code: "ORG_NAME_TOO_SHORT" })
          expect(yield* create("Vendors", "Contractors")).toMatchObject({
            _tag: "OrgRuleError",
            code: "PARENT_ORG_BLOCKED"
          })
          expect(yield* create("Revival", "Archive")).toMatchObject({
            _tag: "OrgRuleError",
            code: "PARENT_ORG_NOT_ACTIVE"
          })
          expect(yield* Effect.flip(client.reactivate(Sim.named(sim, "Old team").orgId))).toMatchObject({
            _tag: "OrgRuleError",
            code: "PARENT_ORG_NOT_ACTIVE",
            operation: "reactivate"
          })
          sim.setRules({ uniqueNames: "siblings" })
          const duplicate = yield* create("Platform", "Engineering")
          // v1 answers every refusal with 500, as the real server does.
          expect(duplicate).toMatchObject({ _tag: "OrgRuleError", code: "ORG_DUPLICATE", status: api === "v1" ? 500 : 409 })
          expect(duplicate.message).toContain("already has this name")
          const renamed = yield* Effect.flip(
            client.updateOrg(Sim.named(sim, "Engineering").orgId, { orgName: "Archive" })
          )
          expect(renamed).toMatchObject({ _tag: "OrgRuleError", code: "ORG_DUPLICATE", operation: "updateOrg" })
          // Refusals are final: nothing was retried.
          expect(sim.requests().filter((r) => r.status >= 400)).toHaveLength(7)
        }))
    }

    it.scoped("an unknown org is a NotFoundError, whether v1 says 400 or v3 says 404", () =>
      Effect.gen(function*() {
        const sim = yield* Sim.fresh
        const v1 = yield* Sim.connect(sim, { api: "v1" })
        expect(yield* Effect.flip(v1.getById(987_654))).toMatchObject({ _tag: "NotFoundError", status: 400 })
        expect(yield* Effect.flip(v1.getByUid("1234567890123456789"))).toMatchObject({ _tag: "NotFoundError" })
        const v3 = yield* Sim.connect(sim, { api: "v3" })
        const engineering = Sim.named(sim, "Engineering")
        yield* v3.getById(engineering.orgId)
        // A new tree: the guid the client remembers names no org any more.
        sim.reset({ org: { orgName: "Other" } })
        expect(yield* Effect.flip(v3.block(engineering.orgId))).toMatchObject({
          _tag: "NotFoundError",
          status: 404,
          operation: "block"
        })
      }))
  })

  describe("status classes", () => {
    for (
      const [status, tag] of [
        [400, "BadRequestError"],
        [403, "ForbiddenError"],
        [404, "NotFoundError"],
        [409, "ConflictError"],
        [429, "RateLimitedError"],
        [503, "ServerError"]
      ] as const
    ) {
      it.scoped(`${status} is a ${tag}`, () =>
        Effect.gen(function*() {
          const sim = yield* Sim.fresh
          const client = yield* Sim.connect(sim)
          yield* client.getCurrent()
          sim.setFaults({ faultRate: 1, faultStatuses: [status] })
          const error = yield* Effect.flip(client.getById(Sim.named(sim, "Engineering").orgId))
          expect(error).toMatchObject({ _tag: tag, status, operation: "getById" })
        }))
    }

    it.scoped("nothing listening is a TransportError", () =>
      Effect.gen(function*() {
        // A server that has stopped: its port refuses connections.
        const closed = yield* Effect.scoped(Simulator.start({ port: 0 })).pipe(Effect.orDie)
        const client = yield* Sim.connect(closed)
        const error = yield* Effect.flip(client.getCurrent())
        expect(error).toMatchObject({ _tag: "TransportError", operation: "signIn" })
        expect(error.message).toContain("ECONNREFUSED")
      }))

    it.scoped("plain http to a host that is not loopback is refused before any request", () =>
      Effect.gen(function*() {
        const error = yield* Layer.build(
          OrgClient.layer({ url: "http://code42.example.com", auth: Sim.admin }).pipe(
            Layer.provide(NodeHttpClient.layerUndici)
          )
        ).pipe(Effect.flip)
        expect(String(error)).toContain("plain http")
      }))
  })

  describe("authentication", () => {
    it.scoped("a wrong password is an UnauthorizedError that shows no secret", () =>
      Effect.gen(function*() {
        const sim = yield* Sim.fresh
        const client = yield* Sim.connect(sim, {
          auth: { _tag: "LocalAccount", username: "admin", password: Redacted.make("not-the-password") }
        })
        const error = yield* Effect.flip(client.getCurrent())
        expect(error).toMatchObject({ _tag: "UnauthorizedError", operation: "signIn", status: 401 })
        expect(`${error.message} ${JSON.stringify(error)}`).not.toContain("not-the-password")
        const wrongSecret = yield* Sim.connect(sim, {
          auth: { _tag: "ApiClient", clientId: "key-1", secret: Redacted.make("nope") }
        })
        expect(yield* Effect.flip(wrongSecret.getById(1))).toMatchObject({ _tag: "UnauthorizedError" })
      }))

    it.scoped("expired tokens: one 401, a new sign-in, and the call goes through", () =>
      Effect.gen(function*() {
        const sim = yield* Sim.fresh
        const client = yield* Sim.connect(sim)
        yield* client.getCurrent()
        sim.expireTokens()
        sim.clearRequests()
        const engineering = Sim.named(sim, "Engineering")
        expect((yield* client.getById(engineering.orgId)).orgName).toBe("Engineering")
        expect(sim.requests().map((r) => `${r.status} ${r.method} ${r.path}`)).toEqual([
          `401 GET /api/v1/Org/${engineering.orgId}`,
          "200 GET /api/v3/auth/jwt",
          `200 GET /api/v1/Org/${engineering.orgId}`
        ])
      }))

    it.scoped("an API client fetches a new token shortly before the old one expires", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.start({ port: 0, ...Sim.accounts, seed, tokenTtlSeconds: 1 }).pipe(Effect.orDie)
        const client = yield* Sim.connect(sim, { auth: Sim.apiClient })
        yield* client.getById(1)
        yield* Effect.sleep("1200 millis")
        yield* client.getById(1)
        const log = sim.requests().map((r) => `${r.status} ${r.method} ${r.path}`)
        expect(log.filter((entry) => entry.includes("/oauth/token"))).toEqual([
          "200 POST /api/v3/oauth/token",
          "200 POST /api/v3/oauth/token"
        ])
        expect(log.filter((entry) => entry.startsWith("401"))).toEqual([])
      }))

    it.scoped("two-factor: the code generated from the authenticator secret is accepted at sign-in", () =>
      Effect.gen(function*() {
        const sim = yield* Sim.fresh
        const password = Redacted.make("secret")
        const withCode = yield* Sim.connect(sim, {
          auth: {
            _tag: "LocalAccount",
            username: "mfa",
            password,
            totp: Either.getOrThrow(ClientConfig.totpFromSecret(Redacted.make(Sim.totpSecret)))
          }
        })
        expect((yield* withCode.getCurrent()).orgName).toBe("Acme")
        const withoutCode = yield* Sim.connect(sim, { auth: { _tag: "LocalAccount", username: "mfa", password } })
        expect(yield* Effect.flip(withoutCode.getCurrent())).toMatchObject({
          _tag: "UnauthorizedError",
          operation: "signIn"
        })
      }))
  })

  describe("faults", () => {
    it.scoped("random 5xx and dropped connections are retried until every call succeeds", () =>
      Effect.gen(function*() {
        const sim = yield* Sim.fresh
        sim.reset({ generate: 300 })
        const client = yield* Sim.connect(sim, { retry: { times: 10, base: "5 millis", cap: "50 millis" } })
        yield* client.getCurrent()
        sim.setFaults({ faultRate: 0.25, resetRate: 0.1 })
        const retries = (yield* Metric.value(ClientMetrics.retriesTotal)).count
        const count = yield* Stream.runCount(client.getAll({ pgSize: 20 }))
        expect(count).toBe(300)
        // Leaves under unblocked parents: Code42 refuses to unblock an org whose parent is blocked.
        const orgs = sim.orgs()
        const parents = new Set(orgs.map((org) => org.parentOrgId))
        const blocked = new Set(orgs.filter((org) => org.blocked).map((org) => org.orgId))
        const targets = orgs
          .filter((org) => org.parentOrgId !== null && !parents.has(org.orgId) && !blocked.has(org.parentOrgId))
          .slice(0, 10)
        expect(targets).toHaveLength(10)
        yield* Effect.forEach(targets, (org) => Effect.zipRight(client.block(org.orgId), client.unblock(org.orgId)), {
          concurrency: 4
        })
        const statuses = sim.requests().map((r) => r.status)
        expect(statuses.filter((s) => s === 0).length).toBeGreaterThan(0)
        expect(statuses.filter((s) => s >= 500).length).toBeGreaterThan(0)
        expect((yield* Metric.value(ClientMetrics.retriesTotal)).count - retries).toBe(
          statuses.filter((s) => s === 0 || s >= 500).length
        )
      }))

    it.scoped("a create whose answer is lost is an UnknownOutcomeError, and the org exists once", () =>
      Effect.gen(function*() {
        const sim = yield* Sim.fresh
        const client = yield* Sim.connect(sim)
        yield* client.getCurrent()
        sim.setFaults({ lostResponseRate: 1 })
        const names = Array.from({ length: 10 }, (_, i) => `Lost ${i + 1}`)
        for (const orgName of names) {
          const error = yield* Effect.flip(client.createOrg({ orgName }))
          expect(error).toMatchObject({ _tag: "UnknownOutcomeError", operation: "createOrg" })
          expect(Sim.named(sim, orgName).orgName).toBe(orgName)
        }
        const posts = sim.requests().filter((r) => r.method === "POST")
        expect(posts).toHaveLength(names.length)
        // Both ways of losing the answer occurred: a 500 and a dropped connection.
        expect(new Set(posts.map((r) => r.status))).toEqual(new Set([0, 500]))
      }))

    it.scoped("the client's limiter keeps a burst under the server's rate limit", () =>
      Effect.gen(function*() {
        const sim = yield* Sim.fresh
        sim.setFaults({ rateLimit: 10 })
        const client = yield* Sim.connect(sim, { rateLimit: { requestsPerSecond: 8, burst: 8 } })
        const ids = sim.orgs().map((org) => org.orgId)
        yield* Effect.forEach(Array.from({ length: 20 }, (_, i) => ids[i % ids.length]!), (id) => client.getById(id), {
          concurrency: "unbounded"
        })
        expect(sim.requests()).toHaveLength(21)
        expect(sim.requests().filter((r) => r.status !== 200)).toEqual([])
      }))

    it.scoped("a client faster than the server waits out each Retry-After and gets through", () =>
      Effect.gen(function*() {
        const sim = yield* Sim.fresh
        sim.setFaults({ rateLimit: 5 })
        const client = yield* Sim.connect(sim, { retry: { times: 5, base: "20 millis", cap: "200 millis" } })
        const waits = (yield* Metric.value(ClientMetrics.rateLimitWaitsTotal)).count
        const orgs = yield* Effect.forEach(Array.from({ length: 8 }, () => 1), (id) => client.getById(id), {
          concurrency: "unbounded"
        })
        expect(orgs).toHaveLength(8)
        const limited = sim.requests().filter((r) => r.status === 429)
        expect(limited.length).toBeGreaterThan(0)
        expect((yield* Metric.value(ClientMetrics.rateLimitWaitsTotal)).count).toBeGreaterThan(waits)
      }))
  })
})
