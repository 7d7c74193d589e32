import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import * as Yaml from "yaml"
import * as DaemonRun from "../src/DaemonRun.js"
import * as Spread from "../src/Spread.js"

const org = (orgId: number, parent: number | null, orgName: string, status: "open" | "blocked" = "open") => ({
  orgId,
  orgUid: `u${orgId}`,
  orgName,
  parentOrgUid: parent === null ? null : `u${parent}`,
  active: true,
  blocked: status === "blocked"
})

// An open region with two teams, and a blocked one whose team is blocked with it.
const tree: ReadonlyArray<DaemonRun.TreeOrg> = [
  org(1, null, "Top"),
  org(2, 1, "Region A"),
  org(3, 2, "Team X"),
  org(4, 2, "Team Y"),
  org(5, 1, "Region B", "blocked"),
  org(6, 5, "Team Z", "blocked")
]

const imported = Yaml.stringify({
  root: "u1",
  orgs: [
    { name: "Region A", uid: "u2", children: [{ name: "Team X", uid: "u3" }, { name: "Team Y", uid: "u4" }] },
    { name: "Region B", uid: "u5", status: "blocked", children: [{ name: "Team Z", uid: "u6" }] }
  ]
})

interface Entry {
  readonly name: string
  readonly uid?: string
  readonly status?: string
  readonly children?: ReadonlyArray<Entry>
}

const regionA = (yaml: string): Entry => (Yaml.parse(yaml) as { orgs: ReadonlyArray<Entry> }).orgs[0]!

const live = Layer.merge(NodeContext.layer, NodeHttpClient.layerUndici)
const tuning = { rateLimit: 1_000, burst: 1_000, concurrency: 8 }

describe("DaemonRun.edits", () => {
  it("takes turns creating, renaming and blocking or unblocking open orgs, each edit on top of the last", () => {
    const planned = Either.getOrThrow(DaemonRun.edits(imported, tree, 6))
    expect(planned.map((edit) => [edit.kind, edit.path])).toEqual([
      ["create", "Region A/Daemon Team 1"],
      ["rename", "Region A/Renamed Team 2"],
      ["block", "Region A/Team X"],
      ["create", "Region A/Daemon Team 4"],
      ["rename", "Region A/Renamed Team 5"],
      ["unblock", "Region A/Team X"]
    ])
    expect(regionA(planned[2]!.yaml)).toEqual({
      name: "Region A",
      uid: "u2",
      children: [
        { name: "Team X", uid: "u3", status: "blocked" },
        { name: "Renamed Team 2", uid: "u4" },
        { name: "Daemon Team 1" }
      ]
    })
    expect(regionA(planned[5]!.yaml).children).toEqual([
      { name: "Team X", uid: "u3" },
      { name: "Renamed Team 5", uid: "u4" },
      { name: "Daemon Team 1" },
      { name: "Daemon Team 4" }
    ])
    // The blocked region is left as imported.
    expect(Yaml.parse(planned[5]!.yaml).orgs[1]).toEqual(Yaml.parse(imported).orgs[1])
  })

  it("sees each edit in the server's tree only once it is there", () => {
    const [create, rename, block, , , unblock] = Either.getOrThrow(DaemonRun.edits(imported, tree, 6))
    const blocked = tree.map((o) => (o.orgUid === "u3" ? { ...o, blocked: true } : o))
    expect([create, rename, block, unblock].map((edit) => edit!.visible(tree))).toEqual([false, false, false, true])
    expect(create!.visible([...tree, org(7, 2, "Daemon Team 1")])).toBe(true)
    expect(create!.visible([...tree, org(7, 1, "Daemon Team 1")])).toBe(false)
    expect(rename!.visible(tree.map((o) => (o.orgUid === "u4" ? { ...o, orgName: "Renamed Team 2" } : o)))).toBe(true)
    expect(block!.visible(blocked)).toBe(true)
    expect(unblock!.visible(blocked)).toBe(false)
  })

  it("names each edit by its path at that point, below a renamed org too", () => {
    const chain = [org(1, null, "Top"), org(2, 1, "Region A"), org(3, 2, "Country B"), org(4, 3, "Team L")]
    const yaml = Yaml.stringify({
      root: "u1",
      orgs: [{
        name: "Region A",
        uid: "u2",
        children: [{ name: "Country B", uid: "u3", children: [{ name: "Team L", uid: "u4" }] }]
      }]
    })
    const planned = Either.getOrThrow(DaemonRun.edits(yaml, chain, 3))
    expect(planned.map((edit) => edit.path)).toEqual([
      "Region A/Daemon Team 1",
      "Region A/Renamed Team 2",
      "Region A/Renamed Team 2/Team L"
    ])
  })

  it("refuses a tenant without an open parent, leaf and third org to edit", () => {
    const result = DaemonRun.edits(imported, tree.slice(0, 3), 3)
    expect(Either.isLeft(result) && result.left.message).toMatch(/a tenant of 3 orgs has too few open orgs/)
  })
})

describe("DaemonRun.spread", () => {
  it("answers min, median, 90th percentile and max, between ranks where they fall between", () => {
    expect(Spread.spread([5, 1, 4, 2, 3, 10, 9, 8, 7, 6])).toEqual({
      count: 10,
      min: 1,
      median: 5.5,
      p90: 9.1,
      max: 10
    })
    expect(Spread.spread([42])).toEqual({ count: 1, min: 42, median: 42, p90: 42, max: 42 })
    expect(Spread.spread([])).toBeUndefined()
  })
})

describe("DaemonRun.parseMemory", () => {
  it("reads the high-water mark and the resident set of /proc/PID/status, in bytes", () => {
    const status = "Name:\tnode\nVmPeak:\t 1200000 kB\nVmHWM:\t  197160 kB\nVmRSS:\t  174624 kB\nThreads:\t11\n"
    expect(DaemonRun.parseMemory(status)).toEqual({ peakBytes: 197160 * 1024, currentBytes: 174624 * 1024 })
    expect(DaemonRun.parseMemory("Name:\tzombie\nState:\tZ (zombie)\n")).toBeUndefined()
  })
})

describe("DaemonRun scenarios", () => {
  it.live("times each saved change until the simulator shows it, saved in place and renamed over in turn", () =>
    Effect.gen(function*() {
      const result = yield* DaemonRun.changes({ orgs: 200, changes: 3, tuning, randomSeed: 21 })
      expect(result.tries.map((attempt) => [attempt.kind, attempt.save])).toEqual([
        ["create", "in place"],
        ["rename", "renamed over"],
        ["block", "in place"]
      ])
      for (const attempt of result.tries) {
        expect(attempt.millis).toBeGreaterThan(0)
        expect(attempt.millis).toBeLessThan(30_000)
      }
    }).pipe(Effect.provide(live)))

  it.live("reads the daemon's memory once converged and after forced passes that only read the tenant", () =>
    Effect.gen(function*() {
      const result = yield* DaemonRun.memory({ orgs: 1_500, forcedPasses: 2, tuning, randomSeed: 22 })
      expect(result.first.result).toBe("converged")
      expect(result.first.applied).toBe(0)
      const firstPassMillis = result.first.finishedAt.getTime() - result.first.startedAt.getTime()
      expect(result.startupMillis).toBeGreaterThanOrEqual(firstPassMillis)
      expect(result.forced.map((pass) => [pass.result, pass.applied])).toEqual([["converged", 0], ["converged", 0]])
      expect(result.forced[0]!.startedAt.getTime()).toBeGreaterThan(result.first.finishedAt.getTime())
      expect(result.forcedStats).toMatchObject({ listPasses: 2, writes: 0 })
      for (const memory of [result.converged, result.afterForced]) {
        expect(memory.currentBytes).toBeGreaterThan(20e6)
        expect(memory.peakBytes).toBeGreaterThanOrEqual(memory.currentBytes)
      }
    }).pipe(Effect.provide(live)))
})
