import { describe, expect, it } from "@effect/vitest"
import type { Org } from "@c42/core"
import type { DesiredState } from "../src/Desired.js"
import * as Plan from "../src/Plan.js"
import { d, type DesiredSpec, desired, r, type RemoteSpec, tenant } from "./planFixtures.js"

const timed = (input: Plan.PlanInput) => {
  const started = performance.now()
  const plan = Plan.make(input)
  return { plan, ms: performance.now() - started }
}

const input = (remote: ReadonlyArray<Org.Org>, state: DesiredState): Plan.PlanInput => ({
  desired: state,
  remote,
  identities: [],
  settings: { currentOrgUid: undefined }
})

// A budget the planner meets with a wide margin on a slow shared machine (it takes a few hundred ms).
const budgetMs = 2_000

describe("Plan.make at scale", () => {
  it("plans 100,000 remote orgs against a 100,000-org desired tree in well under 2 seconds", () => {
    // 100 departments of 999 teams; the file blocks every tenth department, renames one team in each
    // department and adds ten teams to each.
    const remote: Array<RemoteSpec> = []
    const wanted: Array<DesiredSpec> = []
    for (let i = 0; i < 100; i++) {
      const teams = Array.from({ length: 999 }, (_, j) => r(`Team ${i}-${j}`))
      remote.push(r(`Dept ${i}`, {}, ...teams))
      wanted.push(d(
        `Dept ${i}`,
        { status: i % 10 === 0 ? "blocked" : "active" },
        ...teams.slice(1).map((team) => d(team.name)),
        d(`Renamed ${i}`, { previously: [`Team ${i}-0`] }),
        ...Array.from({ length: 10 }, (_, j) => d(`New ${i}-${j}`))
      ))
    }
    const orgs = tenant(...remote)
    expect(orgs).toHaveLength(100_001)
    const { ms, plan } = timed(input(orgs, desired(wanted)))
    expect(plan.managedCount).toBe(100_000)
    expect(plan.conflicts).toEqual([])
    expect(plan.unmanaged).toEqual([])
    expect(plan.resolved).toHaveLength(100_000)
    const count = (action: Plan.Action) => plan.changes.filter((c) => c.action === action).length
    expect([count("create"), count("update"), count("block")]).toEqual([1_000, 100, 10])
    // Each block reaches the department's 999 teams and its 10 new ones.
    expect(plan.changes.filter((c) => c.action === "block").every((c) => c.cascadesTo.length === 1_009)).toBe(true)
    expect(ms).toBeLessThan(budgetMs)
  })

  it("blocks an org with 100,000 children in one call", () => {
    const teams = Array.from({ length: 100_000 }, (_, i) => `Team ${i}`)
    const orgs = tenant(r("Dept", {}, ...teams.map((name) => r(name))))
    const { ms, plan } = timed(input(orgs, desired([d("Dept", { status: "blocked" }, ...teams.map((name) => d(name)))])))
    expect(plan.changes).toHaveLength(1)
    expect(plan.changes[0]!.cascadesTo).toHaveLength(100_000)
    expect(ms).toBeLessThan(budgetMs)
  })

  it("plans 100,000 siblings under one parent (names are indexed, never scanned)", () => {
    const orgs = tenant(...Array.from({ length: 100_000 }, (_, i) => r(`Org ${i}`)))
    // Half of the desired orgs exist, half are new; the other half of the remote orgs are pruned.
    const wanted = Array.from({ length: 100_000 }, (_, i) => d(`Org ${i + 50_000}`))
    const { ms, plan } = timed(input(orgs, desired(wanted, { prune: "deactivate" })))
    const count = (action: Plan.Action) => plan.changes.filter((c) => c.action === action).length
    expect([count("create"), count("deactivate")]).toEqual([50_000, 50_000])
    expect(plan.unmanaged).toHaveLength(50_000)
    expect(ms).toBeLessThan(budgetMs)
  })
})
