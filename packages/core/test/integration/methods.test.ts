/** Every client method on both endpoint families, and paging, against the real simulator. */
import { describe, expect, layer } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import type * as ClientConfig from "../../src/ClientConfig.js"
import * as Sim from "./sim.js"

const seed = {
  org: {
    orgName: "Acme",
    children: [
      {
        orgName: "Engineering",
        orgExtRef: "ENG",
        children: [{ orgName: "Platform" }, { orgName: "Mobile", userCount: 4, computerCount: 6 }]
      },
      { orgName: "Sales", notes: "Field sales", children: [{ orgName: "Platform" }] }
    ]
  }
}

layer(Sim.layer({ seed }), { excludeTestServices: true })("methods", (it) => {
  for (const api of ["v1", "v3"] as const satisfies ReadonlyArray<ClientConfig.Api>) {
    const prefix = api === "v1" ? "/api/v1/" : "/api/v3/orgs"

    describe(api, () => {
      it.scoped("reads: by id with counts, by uid, by name, current, all", () =>
        Effect.gen(function*() {
          const sim = yield* Sim.fresh
          const client = yield* Sim.connect(sim, { api })
          const mobile = Sim.named(sim, "Mobile")
          const byId = yield* client.getById(mobile.orgId, { incCounts: true })
          expect(byId).toMatchObject({
            orgId: mobile.orgId,
            orgUid: mobile.orgUid,
            orgGuid: mobile.orgGuid,
            orgName: "Mobile",
            parentOrgUid: Sim.named(sim, "Engineering").orgUid,
            userCount: 4,
            computerCount: 6
          })
          expect(yield* client.getByUid(mobile.orgUid)).toMatchObject({ orgId: mobile.orgId, orgName: "Mobile" })
          const platforms = yield* client.getByName("Platform")
          expect(platforms.map((org) => org.parentOrgId).sort()).toEqual(
            sim.orgs().filter((org) => org.orgName === "Platform").map((org) => org.parentOrgId).sort()
          )
          expect(platforms).toHaveLength(2)
          expect(yield* client.getByName("platform")).toEqual([])
          expect(yield* client.getCurrent()).toMatchObject({ orgName: "Acme", parentOrgId: null })
          const all = Chunk.toReadonlyArray(yield* Stream.runCollect(client.getAll()))
          expect(all.map((org) => org.orgId)).toEqual(sim.orgs().map((org) => org.orgId))
          expect(all[0]!.parentOrgId).toBeNull()
        }))

      it.scoped("creates and updates", () =>
        Effect.gen(function*() {
          const sim = yield* Sim.fresh
          const client = yield* Sim.connect(sim, { api })
          const engineering = Sim.named(sim, "Engineering")
          const created = yield* client.createOrg({
            orgName: "Data",
            orgExtRef: "DATA-1",
            notes: "Analytics",
            parentOrgUid: engineering.orgUid
          })
          expect(Sim.named(sim, "Data")).toMatchObject({
            orgId: created.orgId,
            orgExtRef: "DATA-1",
            notes: "Analytics",
            parentOrgId: engineering.orgId
          })
          const topChild = yield* client.createOrg({ orgName: "Support" })
          expect(topChild.parentOrgId).toBe(Sim.named(sim, "Acme").orgId)

          const renamed = yield* client.updateOrg(created.orgId, { orgName: "Data Science" })
          expect(renamed).toMatchObject({ orgName: "Data Science", orgExtRef: "DATA-1", notes: "Analytics" })
          yield* client.updateOrg(created.orgId, { orgExtRef: "DS-1", notes: "ML and analytics" })
          expect(Sim.named(sim, "Data Science")).toMatchObject({ orgExtRef: "DS-1", notes: "ML and analytics" })
          const writes = Sim.sent(sim).filter((s) => !s.startsWith("GET"))
          expect(writes).toHaveLength(4)
          for (const write of writes) expect(write).toContain(prefix)
        }))

      it.scoped("block, unblock, deactivate and reactivate cascade as Code42 does", () =>
        Effect.gen(function*() {
          const sim = yield* Sim.fresh
          const client = yield* Sim.connect(sim, { api })
          const state = (name: string) => {
            const org = sim.orgs().find((o) => o.orgName === name && o.parentOrgId !== Sim.named(sim, "Sales").orgId)!
            return { blocked: org.blocked, active: org.active }
          }
          const engineering = Sim.named(sim, "Engineering").orgId
          yield* client.block(engineering)
          expect([state("Engineering"), state("Mobile")]).toEqual(Array(2).fill({ blocked: true, active: true }))
          yield* client.block(engineering)
          yield* client.unblock(engineering)
          expect(state("Mobile")).toEqual({ blocked: false, active: true })
          yield* client.deactivate(engineering)
          expect([state("Engineering"), state("Mobile")]).toEqual(Array(2).fill({ blocked: false, active: false }))
          yield* client.reactivate(engineering)
          expect([state("Engineering"), state("Mobile")]).toEqual([
            { blocked: false, active: true },
            { blocked: false, active: false }
          ])
          const writes = Sim.sent(sim).filter((s) => !s.startsWith("GET"))
          expect(writes).toHaveLength(5)
          for (const write of writes) expect(write).toContain(api === "v1" ? "/api/v1/Org" : prefix)
        }))
    })
  }

  describe("paging", () => {
    const pageSizes = (pgSize: number) =>
      Effect.gen(function*() {
        const sim = yield* Sim.Sim
        const client = yield* Sim.connect(sim)
        sim.clearRequests()
        const pages = Chunk.toReadonlyArray(yield* Stream.runCollect(client.getAllPages({ pgSize })))
        const listed = sim.requests().filter((r) => r.path === "/api/v1/Org")
        // Pages after the first are read a few at once, so the log may hold them in any order.
        expect(listed.map((r) => Number(r.query["pgNum"])).sort((a, b) => a - b)).toEqual(pages.map((_, i) => i + 1))
        return pages.map((page) => page.orgs.length)
      })

    it.scoped("an empty tenant is one page with the top-level org", () =>
      Effect.gen(function*() {
        const sim = yield* Sim.fresh
        sim.reset({ org: { orgName: "Lonely" } })
        expect(yield* pageSizes(500)).toEqual([1])
      }))

    it.scoped("exactly k x pgSize orgs cost no extra page: the count ends the listing", () =>
      Effect.gen(function*() {
        const sim = yield* Sim.fresh
        const teams = Array.from({ length: 29 }, (_, i) => ({ orgName: `Team ${i}` }))
        sim.reset({ org: { orgName: "Top", children: teams } })
        expect(yield* pageSizes(10)).toEqual([10, 10, 10])
        expect(yield* pageSizes(15)).toEqual([15, 15])
        expect(yield* pageSizes(7)).toEqual([7, 7, 7, 7, 2])
      }))

    it.scoped("a server that serves 2 orgs a page still lists every org; a count it does not hold is refused", () =>
      Effect.gen(function*() {
        const sim = yield* Sim.fresh
        const teams = Array.from({ length: 6 }, (_, i) => ({ orgName: `Team ${i}` }))
        sim.reset({ org: { orgName: "Top", children: teams } })
        sim.setFaults({ maxPageSize: 2 })
        expect(yield* pageSizes(500)).toEqual([2, 2, 2, 1])
        sim.setFaults({ maxPageSize: 0, totalCountOffset: 3 })
        const client = yield* Sim.connect(sim)
        const error = yield* Effect.flip(Stream.runDrain(client.getAll()))
        expect(error).toMatchObject({ _tag: "InconsistentListingError", reads: 3 })
        expect(error.message).toContain("the org listing announced 10 orgs but returned 7 after 3 reads")
      }))

    it.scoped("10,000 orgs, every one once, and acting on one far past the first page (v3)", () =>
      Effect.gen(function*() {
        const sim = yield* Sim.fresh
        sim.reset({ generate: 10_000 })
        const client = yield* Sim.connect(sim, { api: "v3" })
        const seen = new Set<number>()
        let pages = 0
        yield* Stream.runForEach(client.getAllPages(), (page) =>
          Effect.sync(() => {
            pages++
            for (const org of page.orgs) seen.add(org.orgId)
          }))
        expect(seen.size).toBe(10_000)
        expect(pages).toBe(20)
        const far = sim.orgs().filter((org) => org.active && !org.blocked).at(-1)!
        sim.clearRequests()
        yield* client.block(far.orgId)
        expect(Sim.sent(sim)).toEqual([`POST /api/v3/orgs/${far.orgGuid}/block`])
        expect(sim.orgs().find((org) => org.orgId === far.orgId)!.blocked).toBe(true)

        // A new client has no cache: one v1 read resolves the guid.
        const other = yield* Sim.connect(sim, { api: "v3" })
        sim.clearRequests()
        yield* other.unblock(far.orgId)
        expect(Sim.sent(sim)).toEqual([`GET /api/v1/Org/${far.orgId}`, `POST /api/v3/orgs/${far.orgGuid}/unblock`])
      }))
  })
})
