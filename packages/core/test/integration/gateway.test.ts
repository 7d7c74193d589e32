/**
 * The gateway family's client against the real simulator's `/v1/oauth` and `/v1/orgs` routes: every method,
 * the tree from `parentOrgGuid`, the token fetched again before its `expires_in`, the methods the family lacks
 * failing with `UnsupportedByApiError` without a request, and a create whose answer is lost never re-sent.
 */
import { NodeHttpClient } from "@effect/platform-node"
import type { Simulator } from "@c42/simulator"
import { describe, expect, layer } from "@effect/vitest"
import { Chunk, Context, Effect, Layer, Stream, TestClock } from "effect"
import * as TestContext from "effect/TestContext"
import type * as ClientConfig from "../../src/ClientConfig.js"
import * as Code42Error from "../../src/Code42Error.js"
import * as GatewayClient from "../../src/GatewayClient.js"
import * as Sim from "./sim.js"

const seed = {
  org: {
    orgName: "Acme",
    children: [
      { orgName: "Engineering", orgExtRef: "ENG", children: [{ orgName: "Platform" }, { orgName: "Mobile" }] },
      { orgName: "Sales", notes: "Field sales", children: [{ orgName: "Platform" }] },
      { orgName: "Archive", active: false }
    ]
  }
}

const connect = (sim: Simulator.Handle, overrides: Partial<ClientConfig.ClientConfig> = {}) =>
  Layer.build(
    GatewayClient.layer({
      url: sim.url,
      api: "gateway",
      auth: Sim.apiClient,
      retry: { times: 4, base: "20 millis", cap: "200 millis" },
      ...overrides
    }).pipe(Layer.provide(NodeHttpClient.layerUndici))
  ).pipe(Effect.map(Context.get(GatewayClient.GatewayClient)), Effect.orDie)

/** The requests the simulator received, as "METHOD /path?query". */
const received = (sim: Simulator.Handle) =>
  sim.requests().map((r) => {
    const query = new URLSearchParams(r.query).toString()
    return `${r.method} ${r.path}${query === "" ? "" : `?${query}`}`
  })

layer(Sim.layer({ seed }), { excludeTestServices: true })("gateway against the simulator", (it) => {
  it.scoped("signs in at /v1/oauth and reads the whole tenant, its tree from parentOrgGuid", () =>
    Effect.gen(function*() {
      const sim = yield* Sim.fresh
      const client = yield* connect(sim)
      const all = Chunk.toReadonlyArray(yield* Stream.runCollect(client.getAll()))
      const held = sim.orgs()
      expect(all.map((org) => org.orgGuid).sort()).toEqual(held.map((org) => org.orgGuid).sort())
      for (const org of all) {
        const same = held.find((h) => h.orgGuid === org.orgGuid)!
        expect(org).toMatchObject({ orgName: same.orgName, parentOrgGuid: same.parentOrgGuid, active: same.active })
        // The family's bodies hold neither ids nor the blocked flag.
        expect(org).not.toHaveProperty("orgId")
        expect(org).not.toHaveProperty("blocked")
      }
      const top = all.filter((org) => org.parentOrgGuid == null)
      expect(top.map((org) => org.orgName)).toEqual(["Acme"])
      const engineering = Sim.named(sim, "Engineering")
      expect(all.filter((org) => org.parentOrgGuid === engineering.orgGuid).map((org) => org.orgName).sort())
        .toEqual(["Mobile", "Platform"])
      const active = Chunk.toReadonlyArray(yield* Stream.runCollect(client.getAll({ active: true })))
      const inactive = Chunk.toReadonlyArray(yield* Stream.runCollect(client.getAll({ active: false })))
      expect(inactive.map((org) => org.orgName)).toEqual(["Archive"])
      expect(active).toHaveLength(all.length - 1)
      expect(received(sim)).toEqual([
        "POST /v1/oauth?grant_type=client_credentials",
        "GET /v1/orgs",
        "GET /v1/orgs?active=true",
        "GET /v1/orgs?active=false"
      ])
    }))

  it.scoped("reads one org by guid and the orgs of a name", () =>
    Effect.gen(function*() {
      const sim = yield* Sim.fresh
      const client = yield* connect(sim)
      const engineering = Sim.named(sim, "Engineering")
      expect(yield* client.getById(engineering.orgGuid!)).toMatchObject({
        orgGuid: engineering.orgGuid,
        orgName: "Engineering",
        orgExtRef: "ENG",
        parentOrgGuid: Sim.named(sim, "Acme").orgGuid
      })
      const platforms = yield* client.getByName("Platform")
      expect(platforms.map((org) => org.parentOrgGuid).sort()).toEqual(
        [Sim.named(sim, "Engineering").orgGuid, Sim.named(sim, "Sales").orgGuid].sort()
      )
      expect(yield* client.getByName("platform")).toEqual([])
      const missing = yield* Effect.flip(client.getById("00000000-0000-4000-8000-000000000000"))
      expect(missing).toBeInstanceOf(Code42Error.NotFoundError)
    }))

  it.scoped("creates (under a parent and under the top-level org), updates, deactivates and reactivates", () =>
    Effect.gen(function*() {
      const sim = yield* Sim.fresh
      const client = yield* connect(sim)
      const engineering = Sim.named(sim, "Engineering")
      const data = yield* client.createOrg({
        orgName: "Data",
        orgExtRef: "DATA-1",
        notes: "Analytics",
        parentOrgGuid: engineering.orgGuid!
      })
      expect(Sim.named(sim, "Data")).toMatchObject({
        orgGuid: data.orgGuid,
        orgExtRef: "DATA-1",
        notes: "Analytics",
        parentOrgGuid: engineering.orgGuid
      })
      const support = yield* client.createOrg({ orgName: "Support" })
      expect(support.parentOrgGuid).toBe(Sim.named(sim, "Acme").orgGuid)

      expect(yield* client.updateOrg(data.orgGuid, { orgName: "Data Science" })).toMatchObject({
        orgName: "Data Science",
        orgExtRef: "DATA-1",
        notes: "Analytics"
      })
      yield* client.updateOrg(data.orgGuid, { orgExtRef: "DS-1", notes: null })
      expect(Sim.named(sim, "Data Science")).toMatchObject({ orgExtRef: "DS-1", notes: "" })

      yield* client.deactivate(engineering.orgGuid!)
      // Deactivation cascades to the descendants.
      expect(sim.orgs().filter((org) => org.active).map((org) => org.orgName).sort()).toEqual(
        ["Acme", "Platform", "Sales", "Support"]
      )
      yield* client.deactivate(engineering.orgGuid!)
      yield* client.reactivate(engineering.orgGuid!)
      expect(Sim.named(sim, "Engineering").active).toBe(true)
      expect(Sim.named(sim, "Data Science").active).toBe(false)
      const writes = received(sim).filter((request) => !request.startsWith("GET"))
      expect(writes).toEqual([
        "POST /v1/oauth?grant_type=client_credentials",
        "POST /v1/orgs",
        "POST /v1/orgs",
        `PUT /v1/orgs/${data.orgGuid}`,
        `PUT /v1/orgs/${data.orgGuid}`,
        `POST /v1/orgs/${engineering.orgGuid}/deactivate`,
        `POST /v1/orgs/${engineering.orgGuid}/deactivate`,
        `POST /v1/orgs/${engineering.orgGuid}/activate`
      ])
    }))

  it.scoped("block, unblock, getCurrent and getByUid fail with UnsupportedByApiError and send nothing", () =>
    Effect.gen(function*() {
      const sim = yield* Sim.fresh
      const client = yield* connect(sim)
      const engineering = Sim.named(sim, "Engineering")
      const failures: ReadonlyArray<Code42Error.UnsupportedByApiError> = [
        yield* Effect.flip(client.block(engineering.orgGuid!)),
        yield* Effect.flip(client.unblock(engineering.orgGuid!)),
        yield* Effect.flip(client.getCurrent()),
        yield* Effect.flip(client.getByUid(engineering.orgUid))
      ]
      expect(failures.map((error) => [error._tag, error.operation, error.api])).toEqual([
        ["UnsupportedByApiError", "block", "gateway"],
        ["UnsupportedByApiError", "unblock", "gateway"],
        ["UnsupportedByApiError", "getCurrent", "gateway"],
        ["UnsupportedByApiError", "getByUid", "gateway"]
      ])
      expect(sim.requests()).toEqual([])
      expect(Sim.named(sim, "Engineering").blocked).toBe(false)
    }))

  it.scoped("a create whose answer is lost fails with UnknownOutcomeError and is sent once", () =>
    Effect.gen(function*() {
      const sim = yield* Sim.fresh
      const client = yield* connect(sim)
      yield* Stream.runDrain(client.getAll())
      sim.setFaults({ lostResponseRate: 1 })
      const error = yield* Effect.flip(client.createOrg({ orgName: "Legal", parentOrgGuid: Sim.named(sim, "Acme").orgGuid! }))
      sim.setFaults({ lostResponseRate: 0 })
      expect(error).toBeInstanceOf(Code42Error.UnknownOutcomeError)
      expect(received(sim).filter((request) => request === "POST /v1/orgs")).toHaveLength(1)
      expect(sim.orgs().filter((org) => org.orgName === "Legal")).toHaveLength(1)
    }))

  describe("token lifetime", () => {
    it.scoped("a token is fetched again before its expires_in, not after a 401", () =>
      Effect.gen(function*() {
        const sim = yield* Sim.fresh
        const client = yield* connect(sim)
        const engineering = Sim.named(sim, "Engineering")
        yield* client.getById(engineering.orgGuid!)
        // The token answer says expires_in 900, as the gateway does: the client's clock moves to 14.5 minutes
        // later, when the token is still good on the server but within the client's margin of its expiry.
        yield* TestClock.adjust("870 seconds")
        yield* client.getById(engineering.orgGuid!)
        expect(sim.requests().map((r) => `${r.status} ${r.method} ${r.path}`)).toEqual([
          "200 POST /v1/oauth",
          `200 GET /v1/orgs/${engineering.orgGuid}`,
          "200 POST /v1/oauth",
          `200 GET /v1/orgs/${engineering.orgGuid}`
        ])
      }).pipe(Effect.provide(TestContext.TestContext)))
  })
})
