import { describe, expect, it } from "@effect/vitest"
import { PCGRandom } from "effect/Utils"
import type { OrgRecord } from "../src/Baseline.js"
import * as Extrapolation from "../src/Extrapolation.js"
import type * as ProcessRun from "../src/ProcessRun.js"
import * as RequestStats from "../src/RequestStats.js"

const record = (path: string, millis: number, calls: number, writes = 0): OrgRecord => ({
  path,
  millis,
  calls,
  writes,
  throttled: 0,
  failed: false
})

const measured = (wallMillis: number): ProcessRun.Measured => ({
  startedAt: 0,
  exitCode: 0,
  wallMillis,
  peakRssBytes: 123,
  stdout: "",
  stderr: ""
})

const paths = (n: number, prefix = "org") => Array.from({ length: n }, (_, i) => `${prefix} ${i}`)

describe("Extrapolation", () => {
  it("draws distinct items, reproducibly, and everything when asked for more than there is", () => {
    const items = paths(50)
    const first = Extrapolation.draw(new PCGRandom(3), items, 10)
    expect(new Set(first).size).toBe(10)
    expect(first.every((item) => items.includes(item))).toBe(true)
    expect(Extrapolation.draw(new PCGRandom(3), items, 10)).toEqual(first)
    expect(Extrapolation.draw(new PCGRandom(4), items, 10)).not.toEqual(first)
    expect(Extrapolation.draw(new PCGRandom(3), items, 50)).toEqual(items)
  })

  it("walks the whole tree only when every stratum is drawn whole", () => {
    const whole = Extrapolation.sample(new PCGRandom(1), [{ paths: paths(5), size: 5 }, { paths: paths(3, "x"), size: 9 }])
    expect(whole.complete).toBe(true)
    expect(Extrapolation.only(whole)).toBeUndefined()
    const part = Extrapolation.sample(new PCGRandom(1), [{ paths: paths(5), size: 5 }, { paths: paths(30, "x"), size: 4 }])
    expect(part.complete).toBe(false)
    expect(Extrapolation.only(part)).toHaveLength(9)
  })

  it("scales each stratum's mean by its size", () => {
    const totals = Extrapolation.estimate([
      { population: 100, records: [record("a", 10, 2, 1), record("b", 30, 4, 1)] },
      { population: 1_000, records: [record("c", 5, 1), record("d", 7, 3)] }
    ])
    expect(totals).toEqual({ millis: 100 * 20 + 1_000 * 6, calls: 100 * 3 + 1_000 * 2, writes: 100, throttled: 0, failed: 0 })
  })

  it("answers the measured figures of a whole walk, and the estimate of a sampled one", () => {
    const log = RequestStats.summarize([
      { method: "GET", path: "/api/v3/auth/jwt", query: {}, status: 200, time: "2026-01-01T00:00:00.000Z" },
      { method: "GET", path: "/api/v1/Org", query: { q: "a" }, status: 200, time: "2026-01-01T00:00:00.100Z" },
      { method: "POST", path: "/api/v3/orgs", query: {}, status: 200, time: "2026-01-01T00:00:00.200Z" }
    ])
    const records = [record("a", 100, 1, 1), record("b", 300, 1)]
    const whole = Extrapolation.sample(new PCGRandom(1), [{ paths: ["a", "b"], size: 2 }])
    const run = { measured: measured(1_000), result: { setupMillis: 200, walkMillis: 400, signIns: 1, records } }
    expect(Extrapolation.baselineFigures(run, whole, log)).toMatchObject({
      calls: 3,
      writes: 1,
      wallMillis: 1_000,
      sampled: undefined
    })

    const sampled: Extrapolation.Sample = { complete: false, strata: [{ population: 10, drawn: ["a", "b"] }] }
    expect(Extrapolation.baselineFigures(run, sampled, log)).toMatchObject({
      calls: 1 + 10 * 1,
      writes: 10 * 0.5,
      // 600 ms outside the walk, then 10 orgs at 200 ms each.
      wallMillis: 600 + 2_000,
      peakRssBytes: 123,
      sampled: { handled: 2, population: 10 }
    })
  })
})
