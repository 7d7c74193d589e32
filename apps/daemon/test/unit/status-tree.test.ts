import { describe, expect, it } from "@effect/vitest"
import type { Plan } from "@c42/reconcile"
import * as StatusTree from "../../src/StatusTree.js"
import { d, plan, r, tenant, uid } from "../../../../packages/reconcile/test/plan-fixtures.js"

const takenAt = new Date("2025-03-01T10:00:00.000Z")

const remote = tenant(
  r("Engineering", {}, r("Platform"), r("Mobile", {}, r("iOS"), r("Android"))),
  r("Sales", { status: "blocked" }, r("EMEA", { status: "blocked" })),
  r("Archive", { status: "deactivated" })
)

/** A plan that blocks Mobile (and so its children), creates Engineering/Data and renames EMEA back by hand. */
const pending: Plan.Plan = plan(remote, [
  d(
    "Engineering",
    {},
    d("Platform"),
    d("Mobile", { status: "blocked" }, d("iOS"), d("Android")),
    d("Data", {}, d("Lake"))
  ),
  d("Sales", { status: "blocked" }, d("EMEA")),
  d("Archive", { status: "deactivated" })
])

const names = (page: StatusTree.TreePage | undefined) => page?.nodes.map((node) => node.name)

const node = (page: StatusTree.TreePage | undefined, name: string) => page!.nodes.find((found) => found.name === name)!

describe("StatusTree", () => {
  it("lists the managed root's children with their status, sorted by name, before any plan", () => {
    const tree = StatusTree.make({ takenAt, orgs: remote }, undefined)
    const top = StatusTree.page(tree, {})
    expect(top).toMatchObject({ snapshotAt: takenAt.toISOString(), root: { orgUid: uid(""), name: "Top" }, total: 3 })
    expect(names(top)).toEqual(["Archive", "Engineering", "Sales"])
    expect(top!.nodes.map((found) => [found.status, found.children])).toEqual([
      ["deactivated", 0],
      ["active", 2],
      ["blocked", 1]
    ])
    expect(names(StatusTree.page(tree, { under: uid("Engineering/Mobile") }))).toEqual(["Android", "iOS"])
  })

  it("marks pending changes on their orgs, the orgs a cascade reaches, and counts them on every org above", () => {
    const tree = StatusTree.make({ takenAt, orgs: remote }, pending)
    const engineering = StatusTree.page(tree, { under: uid("Engineering") })
    const mobile = node(engineering, "Mobile")
    expect(mobile.badges).toEqual(["pending"])
    expect(mobile.notes).toEqual(["block (and 2 below)"])
    expect(node(StatusTree.page(tree, { under: uid("Engineering/Mobile") }), "iOS")).toMatchObject({
      badges: ["pending"],
      notes: ["block with Engineering/Mobile"]
    })
    // The create of Data and of Lake under it, shown under the nearest org that exists.
    expect(names(engineering)).toEqual(["Data", "Data/Lake", "Mobile", "Platform"])
    expect(node(engineering, "Data/Lake")).toMatchObject({ orgUid: null, status: "planned", badges: ["pending"] })
    expect(node(StatusTree.page(tree, {}), "Engineering")).toMatchObject({ badges: [], below: { pending: 5 } })
    expect(node(StatusTree.page(tree, {}), "Sales")).toMatchObject({ badges: [], below: {} })
  })

  it("marks drift, conflicts, contested orgs and held changes", () => {
    const withDrift: Plan.Plan = {
      ...pending,
      changes: [...pending.changes, {
        action: "update",
        path: "Sales/EMEA",
        orgUid: uid("Sales/EMEA"),
        orgId: 7,
        parentPath: "Sales",
        parentOrgUid: uid("Sales"),
        before: { name: "Europe" },
        after: { name: "EMEA" },
        cascadesTo: [],
        cause: "drift"
      }],
      conflicts: [
        { kind: "contested", path: "Engineering/Platform", message: "changed back twice", orgUids: [uid("Engineering/Platform")] },
        { kind: "ambiguous", path: "Archive", message: "two orgs named Archive", orgUids: [] }
      ]
    }
    const held = [{ action: "deactivate", path: "Sales", orgUid: uid("Sales") }]
    const tree = StatusTree.make({ takenAt, orgs: remote }, withDrift, held)
    const top = StatusTree.page(tree, {})
    expect(node(top, "Sales")).toMatchObject({
      badges: ["held"],
      notes: ["deactivate held for approval"],
      below: { pending: 1, drifted: 1 }
    })
    expect(node(StatusTree.page(tree, { under: uid("Sales") }), "EMEA")).toMatchObject({
      badges: ["pending", "drifted"],
      notes: ["update (changed in Code42 by hand)"]
    })
    expect(node(top, "Archive")).toMatchObject({ badges: ["conflict"], notes: ["two orgs named Archive"] })
    expect(node(StatusTree.page(tree, { under: uid("Engineering") }), "Platform").badges).toEqual(["contested"])
    expect(node(top, "Engineering").below).toEqual({ pending: 5, contested: 1 })
  })

  it("answers a page of children at a time, and nothing for an org it does not hold", () => {
    const many = tenant(r("Big", {}, ...Array.from({ length: 1234 }, (_, i) => r(`Team ${String(i).padStart(4, "0")}`))))
    const tree = StatusTree.make({ takenAt, orgs: many }, undefined)
    const first = StatusTree.page(tree, { under: uid("Big") })!
    expect(first).toMatchObject({ offset: 0, total: 1234 })
    expect(first.nodes).toHaveLength(100)
    const last = StatusTree.page(tree, { under: uid("Big"), offset: 1200, limit: 100 })!
    expect(last.nodes.map((found) => found.name)).toEqual(
      Array.from({ length: 34 }, (_, i) => `Team ${String(1200 + i).padStart(4, "0")}`)
    )
    expect(StatusTree.page(tree, { under: uid("Big"), limit: 100_000 })!.nodes).toHaveLength(StatusTree.maxLimit)
    expect(StatusTree.page(tree, { under: "no-such-org" })).toBeUndefined()
  })

  it("has no root before the first snapshot", () => {
    expect(StatusTree.page(StatusTree.make(undefined, undefined), {})).toEqual({
      snapshotAt: null,
      root: null,
      under: null,
      offset: 0,
      total: 0,
      nodes: []
    })
  })
})
