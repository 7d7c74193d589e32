import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Simulator } from "../src/index.js"
import { basic, client, orgNamed, request, signIn, smallSeed } from "./support.js"

const start = (options: Simulator.Options = {}) => Simulator.start({ port: 0, seed: smallSeed, ...options })

const notFoundBody = [{ name: "SYSTEM", description: "Organization was not found", objects: [] }]

describe("org reads", () => {
  it.scoped("serves one org by orgId, by orgUid and by orgGuid in the envelope", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      const platform = orgNamed(sim, "Platform")
      const byId = yield* api.get(`/api/v1/Org/${platform.orgId}`)
      expect(byId.status).toBe(200)
      expect(byId.body.metadata.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      expect(byId.body.data).toEqual(platform)
      const byUid = yield* api.get(`/api/v1/Org/${platform.orgUid}?idType=orgUid`)
      expect(byUid.body.data.orgId).toBe(platform.orgId)
      expect(byUid.body.metadata.params).toEqual({ idType: "orgUid" })
      const byGuid = yield* api.get(`/api/v3/orgs/${platform.orgGuid}`)
      expect(byGuid.body.data.orgId).toBe(platform.orgId)
      const legacy = yield* api.get(`/api/Org/${platform.orgId}`)
      expect(legacy.body.data.orgUid).toBe(platform.orgUid)
    }))

  it.scoped("adds counts with incCounts=true or True", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      const engineering = orgNamed(sim, "Engineering")
      const plain = yield* api.get(`/api/v1/Org/${engineering.orgId}`)
      expect(plain.body.data).not.toHaveProperty("orgCount")
      for (const flag of ["true", "True"]) {
        const counted = yield* api.get(`/api/v1/Org/${engineering.orgId}?incCounts=${flag}`)
        expect(counted.body.data).toMatchObject({
          userCount: 4,
          computerCount: 5,
          orgCount: 3,
          hierarchyCounts: { orgCount: 3, userCount: 7, computerCount: 8 }
        })
      }
      // The published v3 shape always carries the org's own users and computers and its active children.
      yield* api.send("PUT", `/api/v1/OrgDeactivation/${orgNamed(sim, "Mobile").orgId}`)
      const v3 = yield* api.get(`/api/v3/orgs/${engineering.orgGuid}`)
      expect(v3.body.data).toMatchObject({ userCount: 4, computerCount: 5, orgCount: 1 })
    }))

  it.scoped("answers an unknown org with 400 on v1 and legacy, 404 on v3", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      for (const path of ["/api/v1/Org/999", "/api/Org/999", "/api/v1/Org/nope", "/api/v1/Org/999?idType=orgUid"]) {
        const reply = yield* api.get(path)
        expect([path, reply.status, reply.body]).toEqual([path, 400, notFoundBody])
      }
      const v3 = yield* api.get("/api/v3/orgs/no-such-guid")
      expect([v3.status, v3.body]).toEqual([404, notFoundBody])
      const block = yield* api.send("PUT", "/api/v1/OrgBlock/999")
      expect(block.status).toBe(400)
      const v3Block = yield* api.send("POST", "/api/v3/orgs/no-such-guid/block")
      expect(v3Block.status).toBe(404)
    }))

  it.scoped("answers the signed-in user's org on Org/my", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.start({
        port: 0,
        seed: { ...smallSeed, users: [{ username: "sales@acme.test", password: "pw", orgUid: "5550001112223334445" }] },
        users: [{ username: "admin", password: "secret" }]
      })
      // The seed has no org with that uid, so the account falls back to the top-level org.
      const admin = yield* client(sim)
      const mine = yield* admin.get("/api/v1/Org/my")
      expect(mine.body.data.orgId).toBe(1)
      const legacy = yield* admin.get("/api/Org/my")
      expect(legacy.body.data.orgId).toBe(1)
    }))

  it.scoped("answers the org of an account placed in a child org", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.start({
        port: 0,
        seed: {
          org: { orgName: "Acme", children: [{ orgName: "Sales", orgUid: "5550001112223334445" }] },
          users: [{ username: "seller", password: "pw", orgUid: "5550001112223334445" }]
        }
      })
      const reply = yield* request(sim, "GET", "/api/v1/Org/my", { token: yield* signIn(sim, "seller", "pw") })
      expect(reply.body.data.orgName).toBe("Sales")
    }))
})

describe("org state changes", () => {
  it.scoped("v1 block and unblock cascade and answer the org", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      const engineering = orgNamed(sim, "Engineering")
      const blocked = yield* api.send("PUT", `/api/v1/OrgBlock/${engineering.orgId}`)
      expect(blocked.status).toBe(200)
      expect(blocked.body.data).toMatchObject({ orgId: engineering.orgId, blocked: true })
      expect(["Engineering", "Platform", "Platform Core", "Mobile", "Sales"].map((name) => orgNamed(sim, name).blocked))
        .toEqual([true, true, true, true, false])
      // Repeating it succeeds and changes nothing.
      const again = yield* api.send("PUT", `/api/v1/OrgBlock/${engineering.orgId}`)
      expect([again.status, again.body.data.modificationDate]).toEqual([200, blocked.body.data.modificationDate])

      const unblocked = yield* api.send("DELETE", `/api/v1/OrgBlock/${engineering.orgId}`)
      expect(unblocked.body.data.blocked).toBe(false)
      expect(["Engineering", "Platform", "Platform Core", "Mobile"].map((name) => orgNamed(sim, name).blocked))
        .toEqual([false, false, false, false])
    }))

  it.scoped("legacy deactivation answers 204 with no body and cascades", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      const sales = orgNamed(sim, "Sales")
      for (const prefix of ["/api/v1", "/api"]) {
        const deactivated = yield* api.send("PUT", `${prefix}/OrgDeactivation/${sales.orgId}`)
        expect([deactivated.status, deactivated.body]).toEqual([204, undefined])
        expect([orgNamed(sim, "Sales").active, orgNamed(sim, "Field Sales").active]).toEqual([false, false])
        expect(orgNamed(sim, "Field Sales").status).toBe("Deactivated")
        const reactivated = yield* api.send("DELETE", `${prefix}/OrgDeactivation/${sales.orgId}`)
        expect([reactivated.status, reactivated.body]).toEqual([204, undefined])
        // Reactivation is for that org only.
        expect([orgNamed(sim, "Sales").active, orgNamed(sim, "Field Sales").active]).toEqual([true, false])
        yield* api.send("DELETE", `${prefix}/OrgDeactivation/${orgNamed(sim, "Field Sales").orgId}`)
      }
    }))

  it.scoped("refuses reactivation under an inactive parent: 500 on v1 and legacy, 400 on v3", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      yield* api.send("PUT", `/api/v1/OrgDeactivation/${orgNamed(sim, "Sales").orgId}`)
      const child = orgNamed(sim, "Field Sales")
      const replies = [
        yield* api.send("DELETE", `/api/v1/OrgDeactivation/${child.orgId}`),
        yield* api.send("DELETE", `/api/OrgDeactivation/${child.orgId}`),
        yield* api.send("POST", `/api/v3/orgs/${child.orgGuid}/activate`)
      ]
      expect(replies.map((reply) => [reply.status, reply.body[0].name])).toEqual([
        [500, "PARENT_ORG_NOT_ACTIVE"],
        [500, "PARENT_ORG_NOT_ACTIVE"],
        [400, "PARENT_ORG_NOT_ACTIVE"]
      ])
      expect(replies[0]!.body[0]).toHaveProperty("objects", [])
      expect(orgNamed(sim, "Field Sales").active).toBe(false)
    }))

  it.scoped("v3 state actions answer the org", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      const platform = orgNamed(sim, "Platform")
      const steps = [
        ["block", { blocked: true, active: true }],
        ["unblock", { blocked: false, active: true }],
        ["deactivate", { blocked: false, active: false }],
        ["activate", { blocked: false, active: true, deactivationDate: null }]
      ] as const
      for (const [action, expected] of steps) {
        const reply = yield* api.send("POST", `/api/v3/orgs/${platform.orgGuid}/${action}`)
        expect([action, reply.status]).toEqual([action, 200])
        expect(reply.body.data).toMatchObject(expected)
      }
      expect(orgNamed(sim, "Platform Core").active).toBe(false)
    }))

  it.scoped("refuses every state change of the top-level org with 500 SYSTEM", () =>
    Effect.gen(function*() {
      const sim = yield* start({ apiClients: [{ clientId: "key", secret: "s" }] })
      const token = (yield* request(sim, "POST", "/api/v3/oauth/token?grant_type=client_credentials", {
        authorization: basic("key", "s")
      })).body.access_token
      const top = orgNamed(sim, "Acme")
      const replies = [
        yield* request(sim, "PUT", `/api/v1/OrgBlock/${top.orgId}`, { token }),
        yield* request(sim, "DELETE", `/api/v1/OrgBlock/${top.orgId}`, { token }),
        yield* request(sim, "PUT", `/api/v1/OrgDeactivation/${top.orgId}`, { token }),
        yield* request(sim, "DELETE", `/api/OrgDeactivation/${top.orgId}`, { token }),
        yield* request(sim, "POST", `/api/v3/orgs/${top.orgGuid}/block`, { token }),
        yield* request(sim, "POST", `/api/v3/orgs/${top.orgGuid}/activate`, { token })
      ]
      expect(replies.map((reply) => [reply.status, reply.body[0].name])).toEqual(Array(6).fill([500, "SYSTEM"]))
      expect(orgNamed(sim, "Acme")).toMatchObject({ blocked: false, active: true })
    }))
})

describe("org creation", () => {
  it.scoped("v1 creates under parentOrgUid, or under the top-level org without one", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      const sales = orgNamed(sim, "Sales")
      const created = yield* api.send("POST", "/api/v1/Org/", {
        orgName: "Inside Sales",
        orgExtRef: "S-2",
        notes: "Phones",
        parentOrgUid: sales.orgUid
      })
      expect(created.status).toBe(200)
      expect(created.body.data).toMatchObject({
        orgId: 8,
        orgName: "Inside Sales",
        orgExtRef: "S-2",
        notes: "Phones",
        parentOrgId: sales.orgId,
        parentOrgUid: sales.orgUid,
        parentOrgGuid: sales.orgGuid,
        active: true,
        blocked: false
      })
      expect(sim.orgs()).toContainEqual(created.body.data)
      const topLevel = yield* api.send("POST", "/api/v1/Org", { orgName: "Contractors" })
      expect(topLevel.body.data).toMatchObject({ parentOrgId: 1, orgExtRef: null, notes: null })
    }))

  it.scoped("v3 creates under parentOrgGuid", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      const mobile = orgNamed(sim, "Mobile")
      const created = yield* api.send("POST", "/api/v3/orgs", { orgName: "iOS", parentOrgGuid: mobile.orgGuid })
      expect(created.status).toBe(200)
      expect(created.body.data).toMatchObject({ orgName: "iOS", parentOrgGuid: mobile.orgGuid })
      const orphan = yield* api.send("POST", "/api/v3/orgs", { orgName: "Lost", parentOrgGuid: "no-such-guid" })
      expect(orphan.status).toBe(404)
      const v1Orphan = yield* api.send("POST", "/api/v1/Org", { orgName: "Lost", parentOrgUid: "42" })
      expect([v1Orphan.status, v1Orphan.body]).toEqual([400, notFoundBody])
      expect(sim.orgs().length).toBe(8)
    }))

  it.scoped("refuses bad names and parents with the Code42 codes: 500 on v1 and legacy, 400 on v3", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      yield* api.send("PUT", `/api/v1/OrgBlock/${orgNamed(sim, "Platform").orgId}`)
      yield* api.send("PUT", `/api/v1/OrgDeactivation/${orgNamed(sim, "Sales").orgId}`)
      const cases = [
        [{}, "ORG_NAME_MISSING"],
        [{ orgName: "ab" }, "ORG_NAME_TOO_SHORT"],
        [{ orgName: "x".repeat(221) }, "ORG_NAME_TOO_LONG"],
        [{ orgName: "Under blocked", parentOrgUid: orgNamed(sim, "Platform").orgUid }, "PARENT_ORG_BLOCKED"],
        [{ orgName: "Under inactive", parentOrgUid: orgNamed(sim, "Sales").orgUid }, "PARENT_ORG_NOT_ACTIVE"]
      ] as const
      for (const [body, code] of cases) {
        const v1 = yield* api.send("POST", "/api/v1/Org", body)
        const legacy = yield* api.send("POST", "/api/Org", body)
        expect([code, v1.status, v1.body[0].name, legacy.status, legacy.body[0].name]).toEqual([code, 500, code, 500, code])
      }
      const v3 = yield* api.send("POST", "/api/v3/orgs", { orgName: "ab" })
      expect([v3.status, v3.body[0].name]).toEqual([400, "ORG_NAME_TOO_SHORT"])
      const malformed = yield* api.send("POST", "/api/v1/Org", "not an object")
      expect([malformed.status, malformed.body[0].name]).toEqual([500, "SYSTEM"])
      expect(sim.orgs().length).toBe(7)
    }))

  it.scoped("allows duplicate sibling names unless uniqueNames is siblings", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      const first = yield* api.send("POST", "/api/v1/Org", { orgName: "Sales" })
      expect(first.status).toBe(200)
      sim.setRules({ uniqueNames: "siblings" })
      const second = yield* api.send("POST", "/api/v1/Org", { orgName: "Sales" })
      expect([second.status, second.body[0].name]).toEqual([500, "ORG_DUPLICATE"])
      const v3 = yield* api.send("POST", "/api/v3/orgs", { orgName: "Engineering" })
      expect(v3.status).toBe(409)
      const rename = yield* api.send("PUT", `/api/v3/orgs/${orgNamed(sim, "Mobile").orgGuid}`, { orgName: "Platform" })
      expect([rename.status, rename.body[0].name]).toEqual([409, "ORG_DUPLICATE"])
      expect(sim.orgs().filter((org) => org.orgName === "Sales").length).toBe(2)
    }))
})

describe("org updates", () => {
  it.scoped("v1 takes the full org: fields left out are cleared", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      const engineering = orgNamed(sim, "Engineering")
      const updated = yield* api.send("PUT", `/api/v1/Org/${engineering.orgId}`, {
        ...engineering,
        orgName: "R&D",
        notes: "Renamed"
      })
      expect(updated.status).toBe(200)
      expect(updated.body.data).toMatchObject({ orgName: "R&D", orgExtRef: "ENG-001", notes: "Renamed" })
      const partial = yield* api.send("PUT", `/api/v1/Org/${engineering.orgId}`, { orgName: "R&D" })
      expect(partial.body.data).toMatchObject({ orgName: "R&D", orgExtRef: null, notes: null })
      const nameless = yield* api.send("PUT", `/api/Org/${engineering.orgId}`, { notes: "x" })
      expect([nameless.status, nameless.body[0].name]).toEqual([500, "ORG_NAME_MISSING"])
    }))

  it.scoped("v3 is partial: fields left out or null keep their values", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      const engineering = orgNamed(sim, "Engineering")
      const path = `/api/v3/orgs/${engineering.orgGuid}`
      const notes = yield* api.send("PUT", path, { notes: "Builds things" })
      expect(notes.body.data).toMatchObject({ orgName: "Engineering", orgExtRef: "ENG-001", notes: "Builds things" })
      const nulls = yield* api.send("PUT", path, { orgName: null, orgExtRef: null, notes: null })
      expect(nulls.body.data).toMatchObject({ orgName: "Engineering", orgExtRef: "ENG-001", notes: "Builds things" })
      const renamed = yield* api.send("PUT", path, { orgName: "R&D", orgExtRef: "RD-1" })
      expect(renamed.body.data).toMatchObject({ orgName: "R&D", orgExtRef: "RD-1", notes: "Builds things" })
      expect(orgNamed(sim, "R&D").parentOrgId).toBe(1)
      const tooShort = yield* api.send("PUT", path, { orgName: "x" })
      expect([tooShort.status, tooShort.body[0].name]).toEqual([400, "ORG_NAME_TOO_SHORT"])
    }))
})
