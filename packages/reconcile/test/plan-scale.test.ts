import { describe, expect, it } from "@effect/vitest"
import type { Org } from "@c42/core"
import type { DesiredState } from "../src/Desired.js"
import * as Plan from "../src/Plan.js"
import { d, type DesiredSpec, desired, r, type RemoteSpec, tenant } from "./plan-fixtures.js"

const input = (remote: ReadonlyArray<Org.Org>, state: DesiredState): Plan.PlanInput => ({
  desired: state,
  remote,
  identities: [],
  settings: { currentOrgUid: undefined }
})

// How fast is measured by `npm run bench`; here the test's timeout only catches a planner that scans (a
// quadratic plan of 100,000 orgs takes minutes, a linear one well under a second).
const linear = { timeout: 60_000 }

describe("Plan.make at scale", () => {
  it("plans 100,000 remote orgs against a 100,000-org desired tree ", linear, () => {
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
    const plan = Plan.make(input(orgs, desired(wanted)))
    expect(plan.managedCount).toBe(100_000)
    expect(plan.conflicts).toEqual([])
    expect(plan.unmanaged).toEqual([])
    expect(plan.resolved).toHaveLength(100_000)
    const count = (action: Plan.Action) => plan.changes.filter((c) => c.action === action).length
    expect([count("create"), count("update"), count("block")]).toEqual([1_000, 100, 10])
    // Each block reaches the department's 999 teams and its 10 new ones.
    expect(plan.changes.filter((c) => c.action === "block").every((c) => c.cascadesTo.length === 1_009)).toBe(true)
  })

  it("blocks an org with 100,000 children in one call", linear, () => {
    const teams = Array.from({ length: 100_000 }, (_, i) => `Team ${i}`)
    const orgs = tenant(r("Dept", {}, ...teams.map((name) => r(name))))
    const plan = Plan.make(input(orgs, desired([d("Dept", { status: "blocked" }, ...teams.map((name) => d(name)))])))
    expect(plan.changes).toHaveLength(1)
    expect(plan.changes[0]!.cascadesTo).toHaveLength(100_000)
  })

  it("plans 100,000 siblings under one parent (names are indexed, never scanned)", linear, () => {
    const orgs = tenant(...Array.from({ length: 100_000 }, (_, i) => r(`Org ${i}`)))
    // Half of the desired orgs exist, half are new; the other half of the remote orgs are pruned.
    const wanted = Array.from({ length: 100_000 }, (_, i) => d(`Org ${i + 50_000}`))
    const plan = Plan.make(input(orgs, desired(wanted, { prune: "deactivate" })))
    const count = (action: Plan.Action) => plan.changes.filter((c) => c.action === action).length
    expect([count("create"), count("deactivate")]).toEqual([50_000, 50_000])
    expect(plan.unmanaged).toHaveLength(50_000)
  })
})
