import type { Simulator } from "@c42/simulator"
import { describe, expect, it } from "@effect/vitest"
import * as RateLimited from "../src/RateLimited.js"
import * as RequestStats from "../src/RequestStats.js"

const at = (millis: number) => new Date(Date.UTC(2026, 0, 1) + millis).toISOString()

const options: RateLimited.Options = {
  orgs: 100,
  changes: 4,
  latencyMs: 20,
  serverLimit: 2,
  clientLimit: 8,
  concurrency: 8,
  baselinePerStratum: 1,
  randomSeed: 1
}

// Four writes at 2/s, one of them refused once: the writes run from 0 to 1.5 s.
const log: ReadonlyArray<Simulator.RequestLogEntry> = [
  { method: "GET", path: "/api/v3/auth/jwt", query: {}, status: 200, time: at(-500) },
  { method: "POST", path: "/api/v3/orgs/g1/block", query: {}, status: 200, time: at(0) },
  { method: "POST", path: "/api/v3/orgs/g2/block", query: {}, status: 429, time: at(10) },
  { method: "GET", path: "/api/v1/Org", query: { pgNum: "1" }, status: 429, time: at(20) },
  { method: "POST", path: "/api/v3/orgs/g2/block", query: {}, status: 200, time: at(500) },
  { method: "POST", path: "/api/v3/orgs/g3/block", query: {}, status: 200, time: at(1000) },
  { method: "POST", path: "/api/v3/orgs/g4/block", query: {}, status: 200, time: at(1500) }
]

const run = (overrides: Partial<RateLimited.Options>, wallMillis: number) =>
  RateLimited.figures({
    options: { ...options, ...overrides },
    lowerBoundMillis: 2000,
    orgsync: { measured: { wallMillis }, stats: RequestStats.summarize(log) }
  })

describe("RateLimited figures", () => {
  it("at an unknown limit: the share of writes answered 429, the write rate against the limit, wall ÷ bound", () => {
    const figures = run({}, 2300)
    expect(figures).toMatchObject({
      knownLimit: false,
      writes: 5,
      throttledWrites: 1,
      throttled: 2,
      acceptedWrites: 4,
      throttledWriteShare: 0.2
    })
    expect(figures.writeRate).toBeCloseTo(2)
    expect(figures.limitShare).toBeCloseTo(1)
    expect(figures.wallOverLowerBound).toBeCloseTo(1.15)
    expect(figures.throttledWriteShare).toBeGreaterThan(RateLimited.targets.throttledWriteShare)
    expect(figures.wallOverLowerBound).toBeLessThanOrEqual(figures.wallTarget)
    expect(figures.wallTarget).toBe(RateLimited.targets.wallOverLowerBound)
  })

  it("a limit at or above the client's is known, and held to the closer wall target", () => {
    expect(run({ serverLimit: 8 }, 2000)).toMatchObject({ knownLimit: true, wallTarget: 1.15 })
    expect(run({ serverLimit: 10 }, 2000)).toMatchObject({ knownLimit: true, wallTarget: 1.15 })
  })
})
