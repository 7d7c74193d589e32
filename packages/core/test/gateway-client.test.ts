/**
 * The gateway family against a loopback server answering with Code42's own gateway answers and bodies built
 * from the published gateway schemas: the requests Code42's SDK sends, every method, the methods the family
 * lacks, and its listing checked against its count.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Chunk, Effect, Redacted, Stream } from "effect"
import * as ClientConfig from "../src/ClientConfig.js"
import * as OrgClient from "../src/OrgClient.js"
import * as Replay from "./support/replay.js"

const secret = Replay.gatewaySecret

/** The gateway org of the record, and a child of it built from the published org schema. */
const recorded = Replay.bodyOf("incydr-gateway-org-2025") as Record<string, unknown>
const top: Record<string, unknown> = { ...recorded, parentOrgGuid: null }
// The published example counts 7 child orgs; this child has none listed below it, and says so.
const child = { ...Replay.example("spec-def-OrgResponse"), orgGuid: "child-guid", parentOrgGuid: top.orgGuid, orgCount: 0 }
const orgs = [top, child]

/** The gateway's paths and methods as published. */
const published = JSON.parse(Replay.real("spec-paths-v1-orgs").response.body) as Record<string, Record<string, unknown>>
const isPublished = (request: Replay.Received) =>
  Object.entries(published).some(([path, methods]) =>
    new RegExp(`^${path.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(request.path) && request.method.toLowerCase() in methods
  )

/** Sign-in from the record; orgs by guid; the list; writes answered with the org or, for actions, nothing. */
const gateway = (overrides: Partial<Record<string, (request: Replay.Received) => Replay.Answer>> = {}): Replay.Respond =>
(request) => {
  const route = `${request.method} ${request.path.replace(/\/v1\/orgs\/[^/]+/, "/v1/orgs/{orgGuid}")}`
  const override = overrides[route]
  if (override !== undefined) return override(request)
  switch (route) {
    case "POST /v1/oauth":
      return Replay.answerOf("incydr-gateway-oauth-2025")
    case "GET /v1/orgs":
      return Replay.json(200, { ...Replay.example("spec-def-OrgListContainer"), totalCount: orgs.length, orgs })
    case "POST /v1/orgs/{orgGuid}/activate":
    case "POST /v1/orgs/{orgGuid}/deactivate":
      return Replay.answerOf("incydr-gateway-activate-2025")
    default:
      return Replay.json(200, request.method === "GET" && request.path.endsWith("child-guid") ? child : recorded)
  }
}

const schemaOf = (id: string) =>
  JSON.parse(Replay.real(id).response.body) as {
    readonly properties: Record<string, unknown>
    readonly required?: ReadonlyArray<string>
  }

layer(Replay.layer, { excludeTestServices: true })("gateway", (it) => {
  it.scoped("signs in as an API client at POST /v1/oauth, as Code42's SDK does", () =>
    Effect.gen(function*() {
      const server = yield* Replay.Server
      server.answer(gateway())
      const client = yield* Replay.connectGateway(server)
      yield* client.getById(String(top.orgGuid))
      const [signIn, read] = server.received()
      expect(signIn).toMatchObject({ method: "POST", path: "/v1/oauth", body: "" })
      expect(signIn!.query.get("grant_type")).toBe("client_credentials")
      expect(signIn!.headers.authorization).toBe(`Basic ${Buffer.from(`key-42:${secret}`).toString("base64")}`)
      expect(read!.headers.authorization).toBe("Bearer eyJ...(JWT with tenantUid claim)")
      expect(server.received().every(isPublished)).toBe(true)
    }))

  it.scoped("a token is fetched again once its expires_in has passed", () =>
    Effect.gen(function*() {
      const server = yield* Replay.Server
      server.answer(gateway({
        "POST /v1/oauth": () => Replay.json(200, { ...Replay.example("spec-def-AccessTokenResponse"), expires_in: 0 })
      }))
      const client = yield* Replay.connectGateway(server)
      yield* client.getById(String(top.orgGuid))
      yield* client.getById(String(top.orgGuid))
      expect(server.received().map((r) => `${r.method} ${r.path}`)).toEqual([
        "POST /v1/oauth",
        `GET /v1/orgs/${top.orgGuid}`,
        "POST /v1/oauth",
        `GET /v1/orgs/${top.orgGuid}`
      ])
    }))

  it.scoped("a local account signs in at GET /v1/auth and reads bearerToken", () =>
    Effect.gen(function*() {
      const server = yield* Replay.Server
      server.answer(gateway({ "GET /v1/auth": () => Replay.json(200, Replay.example("spec-def-AuthTokenResponse")) }))
      const client = yield* Replay.connectGateway(server, { _tag: "LocalAccount", username: "ops", password: Redacted.make(secret) })
      yield* client.getById(String(top.orgGuid))
      expect(server.received()[1]!.headers.authorization).toBe("Bearer bearerToken text")
    }))

  it.scoped("reads: the list (with active true or false), by guid, by name; the tree from parentOrgGuid", () =>
    Effect.gen(function*() {
      const server = yield* Replay.Server
      server.answer(gateway())
      const client = yield* Replay.connectGateway(server)
      const all = Chunk.toReadonlyArray(yield* Stream.runCollect(client.getAll()))
      expect(all).toHaveLength(2)
      expect(all[0]).toMatchObject({
        orgGuid: "7ed19049-3266-42ff-a3c9-b79a7f8e2b30",
        orgName: "test org",
        orgExtRef: null,
        notes: null,
        parentOrgGuid: null,
        active: true,
        creationDate: "2025-06-02T18:11:32.198Z",
        modificationDate: "2025-06-02T18:11:32.314Z",
        deactivationDate: null,
        registrationKey: "USRR-2C8M-CS28-C9WW",
        userCount: 0,
        computerCount: 0,
        orgCount: 0
      })
      expect(all[1]).toMatchObject({ orgGuid: "child-guid", parentOrgGuid: all[0]!.orgGuid, orgName: "orgName text" })
      yield* Stream.runDrain(client.getAll({ active: true }))
      yield* Stream.runDrain(client.getAll({ active: false }))
      expect(yield* client.getById("child-guid")).toMatchObject({ orgGuid: "child-guid", userCount: 7 })
      expect((yield* client.getByName("test org")).map((org) => org.orgGuid)).toEqual([top.orgGuid])
      const lists = server.received().filter((r) => r.path === "/v1/orgs")
      expect(lists.map((r) => r.query.toString())).toEqual(["", "active=true", "active=false", ""])
      expect(server.received().every(isPublished)).toBe(true)
    }))

  it.scoped("writes: create (with and without a parent), update, deactivate, activate, as published", () =>
    Effect.gen(function*() {
      const server = yield* Replay.Server
      server.answer(gateway())
      const client = yield* Replay.connectGateway(server)
      yield* client.createOrg({ orgName: "Sales", orgExtRef: "S-1", parentOrgGuid: "child-guid" })
      yield* client.createOrg({ orgName: "Support" })
      yield* client.updateOrg("child-guid", { notes: null })
      yield* client.updateOrg("child-guid", { orgName: "Renamed", orgExtRef: "R" })
      yield* client.deactivate("child-guid")
      yield* client.reactivate("child-guid")
      const sent = server.received().filter((r) => r.path !== "/v1/oauth")
      expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
        "POST /v1/orgs",
        "GET /v1/orgs",
        "POST /v1/orgs",
        "GET /v1/orgs/child-guid",
        "PUT /v1/orgs/child-guid",
        "PUT /v1/orgs/child-guid",
        "POST /v1/orgs/child-guid/deactivate",
        "POST /v1/orgs/child-guid/activate"
      ])
      const bodies = sent.filter((r) => r.method !== "GET" && r.body !== "").map((r) => JSON.parse(r.body))
      expect(bodies).toEqual([
        { orgName: "Sales", orgExtRef: "S-1", notes: null, parentOrgGuid: "child-guid" },
        // No parent: the top-level org of the listing, as Code42's SDK does.
        { orgName: "Support", orgExtRef: null, notes: null, parentOrgGuid: top.orgGuid },
        // The name is required, so the current one is sent; null keeps a field, "" clears it.
        { orgName: "orgName text", orgExtRef: null, notes: "" },
        { orgName: "Renamed", orgExtRef: "R", notes: null }
      ])
      const create = schemaOf("spec-def-CreateOrgRequest")
      const update = schemaOf("spec-def-UpdateOrgRequest")
      for (const [body, schema] of [[bodies[0], create], [bodies[1], create], [bodies[2], update], [bodies[3], update]] as const) {
        expect(Object.keys(body).filter((key) => !(key in schema.properties))).toEqual([])
        for (const key of schema.required ?? []) expect(body).toHaveProperty(key)
      }
      expect(server.received().every(isPublished)).toBe(true)
    }))

  it.scoped("block, unblock, getCurrent and getByUid fail with UnsupportedByApiError, sending nothing", () =>
    Effect.gen(function*() {
      const server = yield* Replay.Server
      server.answer(gateway())
      const client = yield* Replay.connectGateway(server)
      for (
        const [operation, call] of [
          ["block", client.block("child-guid")],
          ["unblock", client.unblock("child-guid")],
          ["getCurrent", client.getCurrent()],
          ["getByUid", client.getByUid("1007759454961904673")]
        ] as const
      ) {
        const error = yield* Effect.flip(call as Effect.Effect<unknown, { readonly message: string }>)
        expect(error).toMatchObject({ _tag: "UnsupportedByApiError", operation, api: "gateway" })
        expect(error.message).toContain(`${operation}: the gateway API family has no such operation; use api "v3"`)
      }
      expect(server.received()).toEqual([])
    }))

  it.scoped("a list holding fewer orgs than it counts (a cap) is refused", () =>
    Effect.gen(function*() {
      const server = yield* Replay.Server
      server.answer(gateway({ "GET /v1/orgs": () => Replay.json(200, { totalCount: 150, orgs }) }))
      const client = yield* Replay.connectGateway(server)
      const error = yield* Effect.flip(Stream.runDrain(client.getAll()))
      expect(error).toMatchObject({ _tag: "InconsistentListingError" })
      expect(error.message).toContain("the org listing announced 150 orgs but returned 2")
    }))

  it.scoped("a list whose count matches what it returned, but holds fewer orgs below an org than it counts, is refused", () =>
    Effect.gen(function*() {
      const counted = { ...top, orgCount: 3 }
      const server = yield* Replay.Server
      server.answer(gateway({ "GET /v1/orgs": () => Replay.json(200, { totalCount: 2, orgs: [counted, child] }) }))
      const client = yield* Replay.connectGateway(server)
      const error = yield* Effect.flip(Stream.runDrain(client.getAll()))
      expect(error).toMatchObject({ _tag: "InconsistentListingError" })
      expect(error.message).toContain(
        `the org listing holds 1 orgs under "${top.orgName}" (${top.orgGuid}), which counts 3 child orgs`
      )
    }))

  it.scoped("a list cut where a subtree ends is refused: the orgs listed deeper do not stand for missing children", () =>
    Effect.gen(function*() {
      const grandchild = { ...child, orgGuid: "grandchild-guid", parentOrgGuid: "child-guid", orgCount: 0 }
      const listed = [{ ...top, orgCount: 2 }, { ...child, orgCount: 1 }, grandchild]
      const server = yield* Replay.Server
      server.answer(gateway({ "GET /v1/orgs": () => Replay.json(200, { totalCount: 3, orgs: listed }) }))
      const client = yield* Replay.connectGateway(server)
      const error = yield* Effect.flip(Stream.runDrain(client.getAll()))
      expect(error.message).toContain(`the org listing holds 1 orgs under "${top.orgName}"`)
    }))

  it.scoped("a list holding as many orgs under each org as it counts, or more, is read", () =>
    Effect.gen(function*() {
      const grandchild = { ...child, orgGuid: "grandchild-guid", parentOrgGuid: "child-guid", orgCount: 0 }
      const deactivated = { ...child, orgGuid: "gone-guid", active: false, orgCount: 0 }
      const listed = [{ ...top, orgCount: 1 }, { ...child, orgCount: 1 }, grandchild, deactivated]
      const server = yield* Replay.Server
      server.answer(gateway({ "GET /v1/orgs": () => Replay.json(200, { totalCount: 4, orgs: listed }) }))
      const client = yield* Replay.connectGateway(server)
      const read = yield* Stream.runCollect(client.getAll())
      expect(Chunk.toReadonlyArray(read).map((org) => org.orgGuid)).toEqual([
        top.orgGuid,
        "child-guid",
        "grandchild-guid",
        "gone-guid"
      ])
    }))

  describe("errors in the shapes other gateway families use", () => {
    for (
      const [shape, body, tag] of [
        ["msg", { msg: "Not found" }, "NotFoundError"],
        ["code and message", { code: "ORG_NAME_TOO_SHORT", message: "Org name must be at least three characters long" }, "OrgRuleError"],
        ["problem and description", { problem: "ORG_DUPLICATE", description: "Duplicate" }, "OrgRuleError"]
      ] as const
    ) {
      it.scoped(`{${shape}}`, () =>
        Effect.gen(function*() {
          const server = yield* Replay.Server
          const status = tag === "NotFoundError" ? 404 : 400
          server.answer(gateway({ "POST /v1/orgs": () => Replay.json(status, body), "GET /v1/orgs/{orgGuid}": () => Replay.json(status, body) }))
          const client = yield* Replay.connectGateway(server)
          const error = yield* Effect.flip(
            tag === "NotFoundError" ? client.getById("gone") : client.createOrg({ orgName: "X", parentOrgGuid: "g" })
          )
          expect(error).toMatchObject({ _tag: tag, status })
        }))
    }
  })

  it.effect("OrgClient refuses the gateway family with a clear error: its orgs have no orgId", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        OrgClient.make({
          url: "https://api.us.code42.com",
          api: "gateway",
          auth: { _tag: "ApiClient", clientId: "k", secret: Redacted.make(secret) }
        }).pipe(Effect.provide(NodeHttpClient.layerUndici), Effect.scoped)
      )
      expect(String(error)).toContain("use GatewayClient")
      expect(ClientConfig.resolve({ url: "https://api.us.code42.com", api: "gateway", auth: { _tag: "ApiClient", clientId: "k", secret: Redacted.make(secret) } })._tag).toBe("Right")
    }))
})
