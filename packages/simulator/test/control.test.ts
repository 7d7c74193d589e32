import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { networkInterfaces } from "node:os"
import { RequestLog, Simulator } from "../src/index.js"
import { client, request, signIn, smallSeed } from "./support.js"

const start = (options: Simulator.Options = {}) => Simulator.start({ port: 0, seed: smallSeed, ...options })

const nonLoopbackAddress = Object.values(networkInterfaces())
  .flat()
  .find((address) => address !== undefined && address.family === "IPv4" && !address.internal)?.address

describe("GET /__sim/orgs", () => {
  it.scoped("lists every org as the handle does, without authentication", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const reply = yield* request(sim, "GET", "/__sim/orgs")
      expect(reply.status).toBe(200)
      expect(reply.body).toEqual(sim.orgs())
      expect(reply.body.map((org: Simulator.SimOrg) => org.orgName)).toEqual([
        "Acme",
        "Engineering",
        "Platform",
        "Platform Core",
        "Mobile",
        "Sales",
        "Field Sales"
      ])
    }))

  it.scoped.skipIf(nonLoopbackAddress === undefined)("is only open to loopback callers", () =>
    Effect.gen(function*() {
      const sim = yield* start({ host: "0.0.0.0" })
      const remote = yield* Effect.promise(() => fetch(`http://${nonLoopbackAddress}:${sim.port}/__sim/orgs`))
      expect(remote.status).toBe(403)
      const api = yield* Effect.promise(() => fetch(`http://${nonLoopbackAddress}:${sim.port}/api/v3/LoginConfiguration`))
      expect(api.status).toBe(200)
    }))
})

describe("the request log", () => {
  it.scoped("records API calls with method, path, query, status and time, and is cleared on request", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const api = yield* client(sim)
      yield* api.get("/api/v1/Org?pgNum=2&pgSize=3")
      yield* request(sim, "GET", "/api/v1/Org/1")
      yield* request(sim, "GET", "/__sim/orgs")
      const log = yield* request(sim, "GET", "/__sim/requests")
      expect(log.body).toEqual(sim.requests())
      expect(log.body.map(({ time: _time, ...entry }: RequestLog.RequestLogEntry) => entry)).toEqual([
        { method: "GET", path: "/api/v3/auth/jwt", query: { useBody: "true" }, status: 200 },
        { method: "GET", path: "/api/v1/Org", query: { pgNum: "2", pgSize: "3" }, status: 200 },
        { method: "GET", path: "/api/v1/Org/1", query: {}, status: 401 }
      ])
      expect(log.body[0].time).toMatch(/^\d{4}-\d\d-\d\dT/)
      expect((yield* request(sim, "DELETE", "/__sim/requests")).status).toBe(204)
      expect(sim.requests()).toEqual([])
      yield* api.get("/api/v1/Org")
      sim.clearRequests()
      expect((yield* request(sim, "GET", "/__sim/requests")).body).toEqual([])
    }))

  it("keeps only the latest entries once full", () => {
    const log = new RequestLog.RequestLog(3)
    const entry = (n: number) => ({ method: "GET", path: `/${n}`, query: {}, status: 200, time: "" })
    for (let n = 1; n <= 5; n++) log.add(entry(n))
    expect(log.entries().map((e) => e.path)).toEqual(["/3", "/4", "/5"])
    log.clear()
    log.add(entry(6))
    expect(log.entries().map((e) => e.path)).toEqual(["/6"])
  })
})

describe("resets", () => {
  it.scoped("POST /__sim/reset takes a seed, a size to generate, or nothing for the start seed", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const token = yield* signIn(sim)
      const seeded = yield* request(sim, "POST", "/__sim/reset", {
        body: { org: { orgName: "Other", children: [{ orgName: "Only child" }] } }
      })
      expect([seeded.status, seeded.body]).toEqual([200, { orgCount: 2 }])
      expect(sim.orgs().map((org) => org.orgName)).toEqual(["Other", "Only child"])
      // Tokens outlive a reset.
      expect((yield* request(sim, "GET", "/api/v1/Org", { token })).body.data.totalCount).toBe(2)

      const generated = yield* request(sim, "POST", "/__sim/reset", { body: { generate: 50 } })
      expect(generated.body).toEqual({ orgCount: 50 })
      expect(sim.orgs()).toHaveLength(50)

      const back = yield* request(sim, "POST", "/__sim/reset")
      expect(back.body).toEqual({ orgCount: 7 })
      expect(sim.orgs()[0]!.orgName).toBe("Acme")
    }))

  it.scoped("refuses an invalid seed and keeps the tree", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      for (const body of [{ org: { orgName: "ab" } }, { org: {} }, { generate: 0 }, "nonsense"]) {
        const reply = yield* request(sim, "POST", "/__sim/reset", { body })
        expect([JSON.stringify(body), reply.status]).toEqual([JSON.stringify(body), 400])
      }
      expect(sim.orgs()).toHaveLength(7)
    }))

  it.scoped("Handle.reset replaces the tree and the seed's accounts, and throws for an invalid seed", () =>
    Effect.gen(function*() {
      const sim = yield* start({ randomSeed: 9 })
      const uids = sim.orgs().map((org) => org.orgUid)
      sim.reset({ org: { orgName: "Fresh" }, users: [{ username: "newcomer", password: "pw" }] })
      expect(sim.orgs().map((org) => org.orgName)).toEqual(["Fresh"])
      const token = yield* signIn(sim, "newcomer", "pw")
      expect((yield* request(sim, "GET", "/api/v1/Org/my", { token })).body.data.orgName).toBe("Fresh")
      sim.reset({ generate: 30 })
      expect(sim.orgs()).toHaveLength(30)
      sim.reset()
      // The same random seed hands out the same ids again.
      expect(sim.orgs().map((org) => org.orgUid)).toEqual(uids)
      expect(() => sim.reset({ org: { orgName: "x" } })).toThrow(/at least three characters/)
      expect(sim.orgs()).toHaveLength(7)
    }))
})
