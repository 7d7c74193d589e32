/**
 * What each method sends on each endpoint family, the guid cache of the v3 family, and paging, against a
 * scripted server.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Redacted, Stream } from "effect"
import type * as ClientConfig from "../src/ClientConfig.js"
import * as OrgClient from "../src/OrgClient.js"
import * as Fake from "./fake-code42.js"

const config = (api: ClientConfig.Api): ClientConfig.ClientConfig => ({
  url: "code42.example.com/tenant/",
  auth: { _tag: "ApiClient", clientId: "key-1", secret: Redacted.make("s3cret") },
  api
})

/**
 * A tenant of `count` orgs (org 1 is the top-level one) served by the v1 list and by id, uid and guid; a create
 * adds an org.
 */
const tenant = (count: number): Fake.Handler => {
  const orgs = Array.from({ length: count }, (_, i) => Fake.org(i + 1))
  return (r) => {
    const path = r.path.replace("/tenant", "")
    if (r.method === "GET" && path === "/api/v1/Org") {
      const pgNum = Number(r.params.get("pgNum"))
      const pgSize = Number(r.params.get("pgSize"))
      const q = r.params.get("q")?.toLowerCase()
      const matching = q === undefined ? orgs : orgs.filter((o) => o.orgName.toLowerCase().includes(q))
      return Effect.succeed(Fake.data({
        totalCount: matching.length,
        orgs: matching.slice((pgNum - 1) * pgSize, pgNum * pgSize)
      }))
    }
    if (r.method === "POST" && (path === "/api/v1/Org/" || path === "/api/v3/orgs")) {
      const created = Fake.org(orgs.length + 1, r.body as Record<string, unknown>)
      orgs.push(created)
      return Effect.succeed(Fake.data(created))
    }
    const [, , family, , id, action] = path.split("/").map(decodeURIComponent)
    const found = family === "v3"
      ? orgs.find((o) => o.orgGuid === id)
      : r.params.get("idType") === "orgUid"
      ? orgs.find((o) => o.orgUid === id)
      : id === "my"
      ? orgs[0]
      : orgs.find((o) => String(o.orgId) === id)
    return Effect.succeed(
      found === undefined
        ? Fake.error(400, "SYSTEM", "Organization was not found")
        : action === undefined && (r.method === "GET" || r.method === "PUT")
        ? Fake.data({ ...found, ...(r.body as object | undefined) })
        : Fake.answer(204)
    )
  }
}

const setup = (api: ClientConfig.Api, handler: Fake.Handler) =>
  Effect.gen(function*() {
    const fake = yield* Fake.make(handler)
    const client = yield* OrgClient.make(config(api)).pipe(Effect.provide(fake.layer), Effect.orDie)
    const line = (r: Fake.Received) =>
      `${r.method} ${r.path.replace("/tenant", "")}${r.params.size > 0 ? `?${r.params}` : ""}`
    const sent = Effect.map(fake.received, (log) => Fake.calls(log).map(line))
    return { client, sent, received: fake.received }
  })

describe("v1 family", () => {
  it.scoped("acts on ids", () =>
    Effect.gen(function*() {
      const { client, sent } = yield* setup("v1", tenant(10))
      yield* client.block(7)
      yield* client.unblock(7)
      yield* client.deactivate(7)
      yield* client.reactivate(7)
      yield* client.getById(7, { incCounts: true })
      yield* client.getByUid("100000000000007")
      yield* client.getCurrent()
      expect(yield* sent).toEqual([
        "PUT /api/v1/OrgBlock/7",
        "DELETE /api/v1/OrgBlock/7",
        "PUT /api/v1/OrgDeactivation/7",
        "DELETE /api/v1/OrgDeactivation/7",
        "GET /api/v1/Org/7?incCounts=true",
        "GET /api/v1/Org/100000000000007?idType=orgUid",
        "GET /api/v1/Org/my"
      ])
    }))

  it.scoped("creates with parentOrgUid and updates with the whole org", () =>
    Effect.gen(function*() {
      const { client, received, sent } = yield* setup("v1", tenant(10))
      const created = yield* client.createOrg({ orgName: "Mobile", parentOrgUid: "100000000000003" })
      expect(created).toMatchObject({ orgId: 11, orgName: "Mobile" })
      const updated = yield* client.updateOrg(7, { notes: "Team notes", orgExtRef: null })
      expect(updated).toMatchObject({ orgId: 7, orgName: "Org 7", notes: "Team notes", orgExtRef: null })
      expect(yield* sent).toEqual(["POST /api/v1/Org/", "GET /api/v1/Org/7", "PUT /api/v1/Org/7"])
      const bodies = Fake.calls(yield* received).map((r) => r.body)
      expect(bodies[0]).toEqual({ orgName: "Mobile", parentOrgUid: "100000000000003" })
      expect(bodies[2]).toMatchObject({
        orgId: 7,
        orgUid: "100000000000007",
        orgName: "Org 7",
        orgExtRef: null,
        notes: "Team notes",
        parentOrgId: 1
      })
    }))
})

describe("v3 family", () => {
  it.scoped("resolves an unseen orgId with one v1 read, then acts on the guid from the cache", () =>
    Effect.gen(function*() {
      const { client, sent } = yield* setup("v3", tenant(10))
      yield* client.block(7)
      yield* client.unblock(7)
      yield* client.deactivate(7)
      yield* client.reactivate(7)
      yield* client.getById(7, { incCounts: true })
      yield* client.getById(8)
      yield* client.getByUid("100000000000008")
      expect(yield* sent).toEqual([
        "GET /api/v1/Org/7",
        "POST /api/v3/orgs/guid-7/block",
        "POST /api/v3/orgs/guid-7/unblock",
        "POST /api/v3/orgs/guid-7/deactivate",
        "POST /api/v3/orgs/guid-7/activate",
        "GET /api/v3/orgs/guid-7?incCounts=true",
        "GET /api/v1/Org/8",
        "GET /api/v3/orgs/guid-8"
      ])
    }))

  it.scoped("list pages fill the cache, so an org past the first page costs no extra read", () =>
    Effect.gen(function*() {
      const { client, sent } = yield* setup("v3", tenant(25))
      expect(Chunk.size(yield* Stream.runCollect(client.getAll({ pgSize: 10 })))).toBe(25)
      yield* client.block(23)
      expect((yield* sent).slice(3)).toEqual(["POST /api/v3/orgs/guid-23/block"])
    }))

  it.scoped("creates with parentOrgGuid and updates partially (null keeps a field)", () =>
    Effect.gen(function*() {
      const { client, received, sent } = yield* setup("v3", tenant(10))
      yield* client.createOrg({ orgName: "Mobile", orgExtRef: "MOB", notes: null, parentOrgUid: "100000000000003" })
      yield* client.createOrg({ orgName: "Top child" })
      yield* client.updateOrg(11, { orgName: "Mobile apps", notes: null })
      expect(yield* sent).toEqual([
        "GET /api/v1/Org/100000000000003?idType=orgUid",
        "POST /api/v3/orgs",
        "POST /api/v3/orgs",
        "PUT /api/v3/orgs/guid-11"
      ])
      const bodies = Fake.calls(yield* received).map((r) => r.body)
      expect(bodies.slice(1)).toEqual([
        { orgName: "Mobile", orgExtRef: "MOB", notes: null, parentOrgGuid: "guid-3" },
        { orgName: "Top child" },
        { orgName: "Mobile apps", orgExtRef: null, notes: "" }
      ])
    }))

  it.scoped("an unknown org is a NotFoundError of the method called", () =>
    Effect.gen(function*() {
      const { client } = yield* setup("v3", tenant(3))
      const error = yield* Effect.flip(client.deactivate(99))
      expect(error).toMatchObject({ _tag: "NotFoundError", operation: "deactivate", status: 400 })
    }))
})

describe("paging", () => {
  const pagesOf = (count: number, pgSize: number) =>
    Effect.gen(function*() {
      const { client, sent } = yield* setup("v3", tenant(count))
      const pages = yield* Stream.runCollect(client.getAllPages({ pgSize }))
      return { sizes: Chunk.toReadonlyArray(pages).map((page) => page.orgs.length), sent: yield* sent }
    })

  it.scoped("stops at the first page shorter than pgSize", () =>
    Effect.gen(function*() {
      const { sent, sizes } = yield* pagesOf(25, 10)
      expect(sizes).toEqual([10, 10, 5])
      expect(sent).toEqual([1, 2, 3].map((n) => `GET /api/v1/Org?pgNum=${n}&pgSize=10`))
    }))

  it.scoped("exactly k x pgSize orgs cost no extra page: the count ends the listing", () =>
    Effect.gen(function*() {
      expect((yield* pagesOf(20, 10)).sizes).toEqual([10, 10])
      expect((yield* pagesOf(1, 1)).sizes).toEqual([1])
    }))

  it.scoped("pgSize defaults to 500 and is capped at 1000; filters go along", () =>
    Effect.gen(function*() {
      const { client, sent } = yield* setup("v1", tenant(3))
      yield* Stream.runDrain(client.getAll())
      yield* Stream.runDrain(client.getAll({ pgSize: 5000, active: false, q: "Org 2" }))
      expect(yield* sent).toEqual([
        "GET /api/v1/Org?pgNum=1&pgSize=500",
        "GET /api/v1/Org?pgNum=1&pgSize=1000&active=false&q=Org+2"
      ])
    }))

  it.scoped("getByName keeps exact matches only, from every page", () =>
    Effect.gen(function*() {
      const { client, sent } = yield* setup("v3", tenant(1200))
      const found = yield* client.getByName("Org 1000")
      expect(found.map((org) => org.orgId)).toEqual([1000])
      expect(yield* client.getByName("org 1000")).toEqual([])
      // The search for "Org 1" also finds Org 10-19, 100-199 and 1000-1199 (311 orgs, one page).
      expect((yield* client.getByName("Org 1")).map((org) => org.orgId)).toEqual([1])
      expect((yield* sent).filter((s) => s.endsWith("q=Org+1"))).toEqual(["GET /api/v1/Org?pgNum=1&pgSize=500&q=Org+1"])
    }))
})
