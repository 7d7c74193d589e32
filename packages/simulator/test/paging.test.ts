import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Simulator } from "../src/index.js"
import { client, request } from "./support.js"

/** A top-level org with `children` direct children named "Org 1", "Org 2", ... */
const flat = (children: number): Simulator.Seed => ({
  org: {
    orgName: "Top",
    children: Array.from({ length: children }, (_, i) => ({ orgName: `Org ${i + 1}`, active: i % 3 !== 0 }))
  }
})

const startFlat = (children: number) =>
  Effect.flatMap(Simulator.start({ port: 0, seed: flat(children) }), (sim) => client(sim))

const ids = (body: any): ReadonlyArray<number> => body.data.orgs.map((org: { orgId: number }) => org.orgId)

describe("v1 list paging", () => {
  it.scoped("serves a tenant of one org as one short page", () =>
    Effect.gen(function*() {
      const api = yield* Effect.flatMap(Simulator.start({ port: 0 }), client)
      const first = yield* api.get("/api/v1/Org?pgNum=1&pgSize=500")
      expect(first.status).toBe(200)
      expect(first.body.data.totalCount).toBe(1)
      expect(first.body.data.orgs).toHaveLength(1)
      expect(first.body.data.orgs[0]).toMatchObject({ orgId: 1, parentOrgId: null })
      const second = yield* api.get("/api/v1/Org?pgNum=2&pgSize=500")
      expect(second.body.data).toEqual({ totalCount: 1, orgs: [] })
    }))

  it.scoped("splits an exact multiple into full pages and one empty page", () =>
    Effect.gen(function*() {
      const api = yield* startFlat(9)
      const pages = []
      for (let pgNum = 1; pgNum <= 3; pgNum++) {
        pages.push(ids((yield* api.get(`/api/v1/Org?pgNum=${pgNum}&pgSize=5`)).body))
      }
      expect(pages).toEqual([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], []])
    }))

  it.scoped("defaults to page 1 of 100 and echoes the query in the metadata", () =>
    Effect.gen(function*() {
      const api = yield* startFlat(149)
      const page = yield* api.get("/api/v1/Org")
      expect(ids(page.body)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
      expect(page.body.data.totalCount).toBe(150)
      expect(page.body.metadata.params).toEqual({})
      const second = yield* api.get("/api/v1/Org?pgNum=2")
      expect(ids(second.body)).toHaveLength(50)
      expect(second.body.metadata.params).toEqual({ pgNum: "2" })
    }))

  it.scoped("accepts pgSize up to 1000 and refuses anything else with 400", () =>
    Effect.gen(function*() {
      const api = yield* startFlat(3)
      expect((yield* api.get("/api/v1/Org?pgSize=1000")).status).toBe(200)
      for (const query of ["pgSize=1001", "pgSize=0", "pgSize=-5", "pgSize=ten", "pgNum=0", "pgNum=1.5"]) {
        const reply = yield* api.get(`/api/v1/Org?${query}`)
        expect([query, reply.status, reply.body[0].name]).toEqual([query, 400, "SYSTEM"])
      }
    }))

  it.scoped("filters by case-insensitive name and by active, flags as true/false or True/False", () =>
    Effect.gen(function*() {
      const api = yield* startFlat(12)
      const named = yield* api.get("/api/v1/Org?q=org%201&pgSize=50")
      expect(named.body.data.orgs.map((org: { orgName: string }) => org.orgName)).toEqual([
        "Org 1",
        "Org 10",
        "Org 11",
        "Org 12"
      ])
      expect(named.body.data.totalCount).toBe(4)
      // Children 1, 4, 7 and 10 (orgIds 2, 5, 8, 11) are inactive.
      for (const flag of ["false", "False"]) {
        expect(ids((yield* api.get(`/api/v1/Org?active=${flag}`)).body)).toEqual([2, 5, 8, 11])
      }
      for (const flag of ["true", "True"]) {
        const active = yield* api.get(`/api/v1/Org?active=${flag}&pgSize=3&pgNum=2`)
        expect([active.body.data.totalCount, ids(active.body)]).toEqual([9, [6, 7, 9]])
      }
      const both = yield* api.get("/api/v1/Org?active=false&q=ORG%201")
      expect(ids(both.body)).toEqual([2, 11])
      const bad = yield* api.get("/api/v1/Org?active=yes")
      expect(bad.status).toBe(400)
    }))

  it.scoped("routes resource names case-insensitively, unversioned as v1", () =>
    Effect.gen(function*() {
      const api = yield* startFlat(2)
      for (const path of ["/api/v1/Org", "/api/v1/org", "/API/V1/ORG", "/api/Org", "/api/org", "/api/v1/Org/"]) {
        const reply = yield* api.get(`${path}?pgSize=10`)
        expect([path, reply.status, ids(reply.body)]).toEqual([path, 200, [1, 2, 3]])
      }
      const v3 = yield* api.get("/Api/V3/Orgs")
      expect(v3.status).toBe(200)
      const blocked = yield* api.send("PUT", "/api/orgblock/2")
      expect(blocked.body.data.blocked).toBe(true)
    }))

  it.scoped("answers unknown routes with 404 and an error array", () =>
    Effect.gen(function*() {
      const api = yield* startFlat(1)
      const reply = yield* api.get("/api/v1/Nothing")
      expect([reply.status, reply.body[0].name]).toEqual([404, "SYSTEM"])
    }))
})

describe("v3 list", () => {
  it.scoped("has no paging and stops at 100 orgs", () =>
    Effect.gen(function*() {
      const api = yield* startFlat(149)
      const reply = yield* api.get("/api/v3/orgs?pgNum=2&pgSize=500")
      expect(ids(reply.body)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    }))
})

describe("list faults", () => {
  it.scoped("maxPageSize caps every page whatever pgSize asks; pages follow the capped size", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.start({ port: 0, seed: flat(11), faults: { maxPageSize: 5 } })
      const api = yield* client(sim)
      const pages = []
      for (let pgNum = 1; pgNum <= 3; pgNum++) {
        pages.push(ids((yield* api.get(`/api/v1/Org?pgNum=${pgNum}&pgSize=500`)).body))
      }
      expect(pages).toEqual([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12]])
      expect(ids((yield* api.get("/api/v1/Org?pgSize=3")).body)).toEqual([1, 2, 3])
      expect(ids((yield* api.get("/api/v3/orgs")).body)).toEqual([1, 2, 3, 4, 5])
      const changed = yield* request(sim, "POST", "/__sim/faults", { body: { maxPageSize: 0 } })
      expect(changed.body.maxPageSize).toBe(0)
      expect(ids((yield* api.get("/api/v1/Org?pgSize=500")).body)).toHaveLength(12)
    }))

  it.scoped("totalCountOffset puts totalCount off from the truth, never below 0, filters included", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.start({ port: 0, seed: flat(11) })
      const api = yield* client(sim)
      const total = (path: string) => Effect.map(api.get(path), (reply) => reply.body.data.totalCount)
      expect((yield* request(sim, "POST", "/__sim/faults", { body: { totalCountOffset: -3 } })).status).toBe(200)
      expect(yield* total("/api/v1/Org")).toBe(9)
      expect(ids((yield* api.get("/api/v1/Org")).body)).toHaveLength(12)
      sim.setFaults({ totalCountOffset: 3 })
      expect(yield* total("/api/v1/Org?active=false")).toBe(7)
      expect(yield* total("/api/v3/orgs")).toBe(15)
      sim.setFaults({ totalCountOffset: -100 })
      expect(yield* total("/api/v1/Org")).toBe(0)
    }))

  it.scoped("refuses a negative or fractional page cap and a fractional offset", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.start({ port: 0 })
      for (const body of [{ maxPageSize: -1 }, { maxPageSize: 2.5 }, { totalCountOffset: 0.5 }]) {
        const refused = yield* request(sim, "POST", "/__sim/faults", { body })
        expect([JSON.stringify(body), refused.status]).toEqual([JSON.stringify(body), 400])
      }
    }))
})
