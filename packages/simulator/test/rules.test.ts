/**
 * What the real record (code42-api.md section 9) says the server does, over HTTP: the defaults, and the rules
 * in which servers differ.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Simulator } from "../src/index.js"
import { definition, departures, realAnswer } from "./published.js"
import { client, orgNamed, request, signIn, smallSeed } from "./support.js"

const start = (options: Simulator.Options = {}) => Simulator.start({ port: 0, seed: smallSeed, ...options })

const codes = (replies: ReadonlyArray<{ readonly status: number; readonly body: any }>) =>
  replies.map((reply) => [reply.status, reply.body?.[0]?.name])

describe("defaults from the real record", () => {
  it.scoped("refuses to unblock under a blocked parent with 500 PARENT_ORG_IS_BLOCKED on every family", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      yield* api.send("PUT", `/api/v1/OrgBlock/${orgNamed(sim, "Engineering").orgId}`)
      const platform = orgNamed(sim, "Platform")
      const replies = [
        yield* api.send("DELETE", `/api/v1/OrgBlock/${platform.orgId}`),
        yield* api.send("DELETE", `/api/OrgBlock/${platform.orgId}`),
        yield* api.send("POST", `/api/v3/orgs/${platform.orgGuid}/unblock`)
      ]
      expect(codes(replies)).toEqual(Array(3).fill([500, "PARENT_ORG_IS_BLOCKED"]))
      expect([orgNamed(sim, "Platform").blocked, orgNamed(sim, "Platform Core").blocked]).toEqual([true, true])
    }))

  it.scoped("refuses block, unblock, deactivate and activate of the caller's own org with 500 SYSTEM", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.start({
        port: 0,
        seed: {
          org: { orgName: "Acme", children: [{ orgName: "Sales", orgUid: "5550001112223334445" }, { orgName: "Legal" }] },
          users: [{ username: "seller", password: "pw", orgUid: "5550001112223334445" }]
        }
      })
      const token = yield* signIn(sim, "seller", "pw")
      const send = (method: string, path: string) => request(sim, method, path, { token })
      const sales = orgNamed(sim, "Sales")
      const replies = [
        yield* send("PUT", `/api/v1/OrgBlock/${sales.orgId}`),
        yield* send("DELETE", `/api/v1/OrgBlock/${sales.orgId}`),
        yield* send("PUT", `/api/v1/OrgDeactivation/${sales.orgId}`),
        yield* send("DELETE", `/api/OrgDeactivation/${sales.orgId}`),
        yield* send("POST", `/api/v3/orgs/${sales.orgGuid}/block`),
        yield* send("POST", `/api/v3/orgs/${sales.orgGuid}/unblock`),
        yield* send("POST", `/api/v3/orgs/${sales.orgGuid}/deactivate`),
        yield* send("POST", `/api/v3/orgs/${sales.orgGuid}/activate`)
      ]
      expect(codes(replies)).toEqual(Array(8).fill([500, "SYSTEM"]))
      expect(replies[0]!.body[0].description).toBe("You cannot block your own org")
      expect(orgNamed(sim, "Sales")).toMatchObject({ blocked: false, active: true })
      // Another org is the caller's to change.
      expect((yield* send("PUT", `/api/v1/OrgBlock/${orgNamed(sim, "Legal").orgId}`)).status).toBe(200)
    }))

  it.scoped("trims names, and refuses a short one with the server's wording", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      const created = yield* api.send("POST", "/api/v1/Org", { orgName: "  Legal  " })
      expect(created.body.data.orgName).toBe("Legal")
      const renamed = yield* api.send("PUT", `/api/v3/orgs/${created.body.data.orgGuid}`, { orgName: "\tLegal Ops " })
      expect(renamed.body.data.orgName).toBe("Legal Ops")
      const short = yield* api.send("POST", "/api/v1/Org", { orgName: " QA  " })
      expect([short.status, short.body]).toEqual([500, [
        { name: "ORG_NAME_TOO_SHORT", description: "Org name must be at least three characters long", objects: [] }
      ]])
    }))

  it.scoped("checks a blocked parent before an inactive one", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      const sales = orgNamed(sim, "Sales")
      yield* api.send("PUT", `/api/v1/OrgDeactivation/${sales.orgId}`)
      yield* api.send("PUT", `/api/v1/OrgBlock/${sales.orgId}`)
      const replies = [
        yield* api.send("POST", "/api/v1/Org", { orgName: "Inside Sales", parentOrgUid: sales.orgUid }),
        yield* api.send("POST", "/api/v3/orgs", { orgName: "Inside Sales", parentOrgGuid: sales.orgGuid })
      ]
      expect(codes(replies)).toEqual([[500, "PARENT_ORG_BLOCKED"], [400, "PARENT_ORG_BLOCKED"]])
    }))

  it.scoped("answers v3 orgs in the published OrgResponseInternal shape, reads and writes alike", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      const schema = definition("OrgResponseInternal")
      const engineering = orgNamed(sim, "Engineering")
      const path = `/api/v3/orgs/${engineering.orgGuid}`
      const replies = {
        get: yield* api.get(path),
        create: yield* api.send("POST", "/api/v3/orgs", { orgName: "Data", parentOrgGuid: engineering.orgGuid }),
        update: yield* api.send("PUT", path, { notes: "Builds things" }),
        block: yield* api.send("POST", `${path}/block`),
        unblock: yield* api.send("POST", `${path}/unblock`),
        deactivate: yield* api.send("POST", `${path}/deactivate`),
        activate: yield* api.send("POST", `${path}/activate`)
      }
      for (const [action, reply] of Object.entries(replies)) {
        expect([action, reply.status, departures(reply.body.data, schema)]).toEqual([action, 200, []])
      }
      // The published sample has the same properties, in the same order.
      const sample = JSON.parse(realAnswer("spec-shaped-v3-org").response.body)
      expect(Object.keys(replies.get.body.data)).toEqual(Object.keys(sample))
      expect(replies.update.body.data).toMatchObject({
        orgId: engineering.orgId,
        orgUid: engineering.orgUid,
        orgGuid: engineering.orgGuid,
        orgName: "Engineering",
        orgExtRef: "ENG-001",
        notes: "Builds things",
        parentOrgId: 1,
        externalId: engineering.orgUid,
        userCount: 4,
        computerCount: 5,
        orgCount: 3
      })
      const list = yield* api.get("/api/v3/orgs")
      expect(departures(list.body.data, definition("OrgListContainerInternal"))).toEqual([])
    }))
})

describe("rules in which servers differ", () => {
  it.scoped("renameOnDeactivate renames a deactivated subtree; reactivation keeps the names", () =>
    Effect.gen(function*() {
      const sim = yield* start({ rules: { renameOnDeactivate: true } })
      const api = yield* client(sim)
      const engineering = orgNamed(sim, "Engineering")
      yield* api.send("POST", `/api/v3/orgs/${engineering.orgGuid}/deactivate`)
      const suffix = / deactivated \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/
      const renamed = sim.orgs().filter((org) => suffix.test(org.orgName)).map((org) => org.orgName.replace(suffix, ""))
      expect(renamed).toEqual(["Engineering", "Platform", "Platform Core", "Mobile"])
      yield* api.send("DELETE", `/api/v1/OrgDeactivation/${engineering.orgId}`)
      const after = yield* api.get(`/api/v1/Org/${engineering.orgId}`)
      expect(after.body.data.active).toBe(true)
      expect(after.body.data.orgName).toMatch(suffix)
      // Off by default.
      const plain = yield* start()
      const plainApi = yield* client(plain)
      yield* plainApi.send("PUT", `/api/v1/OrgDeactivation/${orgNamed(plain, "Sales").orgId}`)
      expect(orgNamed(plain, "Sales").active).toBe(false)
    }))

  it.scoped("uniqueNames tenant refuses a name used anywhere: 500 on v1, 409 on v3", () =>
    Effect.gen(function*() {
      const sim = yield* start({ rules: { uniqueNames: "tenant" } })
      const api = yield* client(sim)
      const sales = orgNamed(sim, "Sales")
      const replies = [
        yield* api.send("POST", "/api/v1/Org", { orgName: "Platform Core", parentOrgUid: sales.orgUid }),
        yield* api.send("POST", "/api/v3/orgs", { orgName: "Mobile ", parentOrgGuid: sales.orgGuid }),
        yield* api.send("PUT", `/api/v3/orgs/${sales.orgGuid}`, { orgName: "Engineering" })
      ]
      expect(codes(replies)).toEqual([[500, "ORG_DUPLICATE"], [409, "ORG_DUPLICATE"], [409, "ORG_DUPLICATE"]])
      expect(sim.orgs()).toHaveLength(7)
    }))

  it.scoped("errorsInData wraps v1 refusals in data; errorsInReasonPhrase moves unversioned ones to the reason phrase", () =>
    Effect.gen(function*() {
      const sim = yield* start({ rules: { errorsInData: true } })
      const api = yield* client(sim)
      const wrapped = yield* api.send("POST", "/api/v1/Org", { orgName: "QA" })
      expect([wrapped.status, wrapped.body.data[0].name]).toEqual([500, "ORG_NAME_TOO_SHORT"])
      // The recorded wrapped answer has the same form.
      const real = realAnswer("py42-error-data-wrapped-500").response
      expect([real.status, Object.keys(JSON.parse(real.body))]).toEqual([wrapped.status, Object.keys(wrapped.body)])

      sim.setRules({ errorsInReasonPhrase: true })
      const response = yield* Effect.promise(() =>
        fetch(`${sim.url}/api/Org`, {
          method: "POST",
          headers: { authorization: `Bearer ${api.token}`, "content-type": "application/json" },
          body: JSON.stringify({ orgName: "QA" })
        })
      )
      const text = yield* Effect.promise(() => response.text())
      expect([response.status, text]).toEqual([500, ""])
      expect(JSON.parse(response.statusText)).toEqual([
        { name: "ORG_NAME_TOO_SHORT", description: "Org name must be at least three characters long", objects: [] }
      ])
      // A reason phrase holds printable ASCII only: other characters arrive as JSON escapes.
      const sales = orgNamed(sim, "Sales")
      yield* api.send("PUT", `/api/v3/orgs/${sales.orgGuid}`, { orgName: "Ventes Été" })
      yield* api.send("PUT", `/api/v1/OrgBlock/${sales.orgId}`)
      const underBlocked = yield* Effect.promise(() =>
        fetch(`${sim.url}/api/Org`, {
          method: "POST",
          headers: { authorization: `Bearer ${api.token}`, "content-type": "application/json" },
          body: JSON.stringify({ orgName: "Export", parentOrgUid: sales.orgUid })
        })
      )
      expect(underBlocked.status).toBe(500)
      expect(JSON.parse(underBlocked.statusText)[0]).toMatchObject({
        name: "PARENT_ORG_BLOCKED",
        description: `The parent organization "Ventes Été" is blocked`
      })
      // Only the unversioned family; v1 keeps its body, v3 is untouched.
      expect((yield* api.send("POST", "/api/v1/Org", { orgName: "QA" })).body.data[0].name).toBe("ORG_NAME_TOO_SHORT")
      expect(codes([yield* api.send("POST", "/api/v3/orgs", { orgName: "QA" })])).toEqual([[400, "ORG_NAME_TOO_SHORT"]])
    }))

  it.scoped("legacyBodies drops the guids and the guid-addressed routes; v1 acts by id", () =>
    Effect.gen(function*() {
      const sim = yield* start({ rules: { legacyBodies: true } })
      const api = yield* client(sim)
      const platform = orgNamed(sim, "Platform")
      const list = yield* api.get("/api/v1/Org?pgSize=100")
      const one = yield* api.get(`/api/v1/Org/${platform.orgId}`)
      const mine = yield* api.get("/api/v1/User/my")
      for (const body of [...list.body.data.orgs, one.body.data, mine.body.data]) {
        expect(body).not.toHaveProperty("orgGuid")
        expect(body).not.toHaveProperty("parentOrgGuid")
      }
      expect(one.body.data).toMatchObject({ orgUid: platform.orgUid, parentOrgUid: orgNamed(sim, "Engineering").orgUid })
      expect((yield* api.send("PUT", `/api/v1/OrgBlock/${platform.orgId}`)).body.data.blocked).toBe(true)
      const guidRoutes = [
        yield* api.get(`/api/v3/orgs/${platform.orgGuid}`),
        yield* api.get("/api/v3/orgs"),
        yield* api.send("POST", "/api/v3/orgs", { orgName: "New org" }),
        yield* api.send("POST", `/api/v3/orgs/${platform.orgGuid}/unblock`)
      ]
      expect(guidRoutes.map((reply) => reply.status)).toEqual([404, 404, 404, 404])
      expect((yield* api.get(`/api/v1/Org/${platform.orgGuid}?idType=orgGuid`)).status).toBe(400)
      expect(orgNamed(sim, "Platform").blocked).toBe(true)
    }))

  it.scoped("are read and changed over /__sim/rules, which refuses bad values", () =>
    Effect.gen(function*() {
      const sim = yield* start({ rules: { renameOnDeactivate: true } })
      const changed = yield* request(sim, "POST", "/__sim/rules", { body: { uniqueNames: "siblings" } })
      expect([changed.status, changed.body]).toEqual([200, {
        renameOnDeactivate: true,
        uniqueNames: "siblings",
        legacyBodies: false,
        errorsInData: false,
        errorsInReasonPhrase: false
      }])
      for (const body of [{ uniqueNames: "global" }, { legacyBodies: "yes" }]) {
        const refused = yield* request(sim, "POST", "/__sim/rules", { body })
        expect([JSON.stringify(body), refused.status]).toEqual([JSON.stringify(body), 400])
      }
      expect((yield* request(sim, "GET", "/__sim/rules")).body.uniqueNames).toBe("siblings")
      expect(() => sim.setRules({ uniqueNames: "everywhere" as never })).toThrow(/Invalid rules/)
      const error = yield* Effect.flip(start({ rules: { uniqueNames: "everywhere" as never } }))
      expect(error.message).toContain("Invalid rules")
    }))
})
