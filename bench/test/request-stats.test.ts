import { describe, expect, it } from "@effect/vitest"
import * as RequestStats from "../src/RequestStats.js"

const at = (millis: number) => new Date(Date.UTC(2026, 0, 1) + millis).toISOString()

describe("RequestStats", () => {
  it("sorts the log into sign-ins, list pages and passes, the signed-in org, other reads, writes and 429s (of writes apart)", () => {
    const stats = RequestStats.summarize([
      { method: "GET", path: "/api/v3/auth/jwt", query: { useBody: "true" }, status: 200, time: at(0) },
      { method: "GET", path: "/api/v1/Org", query: { pgNum: "1", pgSize: "1000" }, status: 200, time: at(10) },
      { method: "GET", path: "/api/v1/Org", query: { pgNum: "2", pgSize: "1000" }, status: 200, time: at(20) },
      { method: "GET", path: "/api/v1/Org/my", query: {}, status: 200, time: at(30) },
      { method: "POST", path: "/api/v3/orgs/g1/block", query: {}, status: 200, time: at(100) },
      { method: "POST", path: "/api/v3/orgs/g2/block", query: {}, status: 429, time: at(110) },
      { method: "POST", path: "/api/v3/orgs/g2/block", query: {}, status: 200, time: at(300) },
      { method: "PUT", path: "/api/v3/orgs/g3", query: {}, status: 500, time: at(320) },
      { method: "GET", path: "/api/v1/Org", query: { pgNum: "1", pgSize: "1000" }, status: 200, time: at(400) },
      { method: "GET", path: "/api/v1/Org/42", query: {}, status: 200, time: at(410) },
      { method: "GET", path: "/api/v1/Org/43", query: {}, status: 429, time: at(420) }
    ])
    expect(stats).toMatchObject({
      total: 11,
      signIns: 1,
      listPages: 3,
      listPasses: 2,
      currentOrg: 1,
      otherReads: 2,
      writes: 4,
      acceptedWrites: 2,
      throttled: 2,
      throttledWrites: 1,
      failed: 1,
      firstRequestAt: Date.parse(at(0)),
      lastRequestAt: Date.parse(at(420)),
      firstWriteAt: Date.parse(at(100)),
      lastWriteAt: Date.parse(at(300))
    })
    // Two accepted writes 200 ms apart: one interval.
    expect(RequestStats.writeRate(stats)).toBeCloseTo(5)
  })

  it("has no write rate without two accepted writes", () => {
    const stats = RequestStats.summarize([
      { method: "POST", path: "/api/v3/orgs", query: {}, status: 200, time: at(0) }
    ])
    expect(RequestStats.writeRate(stats)).toBeUndefined()
  })
})
