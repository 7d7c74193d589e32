import { describe, expect, it } from "@effect/vitest"
import { DriftReport, type Plan, Policy } from "@c42/reconcile"
import { change } from "../support/daemon-fixtures.js"

const deactivate = (path: string, cascadesTo: ReadonlyArray<string> = [], cause: Plan.Change["cause"] = "desired") =>
  change(path, {
    action: "deactivate",
    orgUid: `u/${path}`,
    orgId: 7,
    before: { status: "active" },
    after: { status: "deactivated" },
    cascadesTo,
    cause
  })
const block = (path: string) =>
  change(path, { action: "block", orgUid: `u/${path}`, orgId: 8, before: { status: "active" }, after: { status: "blocked" } })
const rename = (path: string, cause: Plan.Change["cause"] = "desired") =>
  change(path, {
    action: "update",
    orgUid: `u/${path}`,
    orgId: 9,
    before: { name: "Old", extRef: "X-2" },
    after: { name: path, extRef: "X-1" },
    cause
  })
const create = change("New")

const paths = (list: ReadonlyArray<Plan.Change>) => list.map((c) => `${c.action} ${c.path}`)
const keptLines = (list: ReadonlyArray<Policy.Kept>) => list.map((k) => `${k.reason} ${k.change.action} ${k.change.path}`)

describe("Policy.gate", () => {
  const changes = [create, rename("Sales"), block("Legal"), deactivate("Sales", ["Sales/EMEA"])]

  it("auto with heal applies everything", () => {
    const { allowed, kept } = Policy.gate(changes, Policy.auto)
    expect(paths(allowed)).toEqual(paths(changes))
    expect(kept).toEqual([])
  })

  it("confirm holds blocks and deactivations (prunes included) and lets the other changes through", () => {
    const { allowed, kept } = Policy.gate(changes, { destructive: "confirm", drift: "heal" })
    expect(paths(allowed)).toEqual(["create New", "update Sales"])
    expect(keptLines(kept)).toEqual(["awaiting-approval block Legal", "awaiting-approval deactivate Sales"])
    expect(kept[1]!.id).toMatch(/^[0-9a-f]{12}$/)
    expect(kept[1]!.checksum).toBe(Policy.checksum(changes[3]!))
    expect(kept[1]!.checksum.startsWith(`sha256:${kept[1]!.id}`)).toBe(true)
  })

  it("an approval lets exactly the change of its checksum through; a change of reach is another change", () => {
    const approved = Policy.checksum(deactivate("Sales", ["Sales/EMEA"]))
    const decisions: Policy.Decisions = { approved: (sum) => sum === approved, rejected: () => false }
    const same = Policy.gate([deactivate("Sales", ["Sales/EMEA"]), block("Legal")], { destructive: "confirm", drift: "heal" }, decisions)
    expect(paths(same.allowed)).toEqual(["deactivate Sales"])
    expect(keptLines(same.kept)).toEqual(["awaiting-approval block Legal"])

    const grown = Policy.gate([deactivate("Sales", ["Sales/EMEA", "Sales/APAC"])], { destructive: "confirm", drift: "heal" }, decisions)
    expect(grown.allowed).toEqual([])
    expect(keptLines(grown.kept)).toEqual(["awaiting-approval deactivate Sales"])
    expect(grown.kept[0]!.checksum).not.toBe(approved)
  })

  it("a rejected change stays held as rejected", () => {
    const rejected = Policy.checksum(block("Legal"))
    const { allowed, kept } = Policy.gate([block("Legal")], { destructive: "confirm", drift: "heal" }, {
      approved: () => false,
      rejected: (sum) => sum === rejected
    })
    expect(allowed).toEqual([])
    expect(keptLines(kept)).toEqual(["rejected block Legal"])
    expect(Policy.approvable(kept[0]!)).toBe(true)
  })

  it("never keeps destructive changes whatever is approved", () => {
    const { allowed, kept } = Policy.gate(changes, { destructive: "never", drift: "heal" }, {
      approved: () => true,
      rejected: () => false
    })
    expect(paths(allowed)).toEqual(["create New", "update Sales"])
    expect(keptLines(kept)).toEqual(["never block Legal", "never deactivate Sales"])
    expect(Policy.approvable(kept[0]!)).toBe(false)
  })

  it("drift: report keeps every change of cause drift, destructive or not, and heal applies them", () => {
    const drifted = [rename("Sales", "drift"), deactivate("Legal", [], "drift"), create]
    const report = Policy.gate(drifted, { destructive: "auto", drift: "report" })
    expect(paths(report.allowed)).toEqual(["create New"])
    expect(keptLines(report.kept)).toEqual(["drift update Sales", "drift deactivate Legal"])
    expect(paths(Policy.gate(drifted, { destructive: "auto", drift: "heal" }).allowed)).toEqual(paths(drifted))
  })

  it("reach counts the org and its cascade; each kept change says why in one line", () => {
    expect(Policy.reach(deactivate("Sales", ["Sales/EMEA", "Sales/APAC"]))).toBe(3)
    const { kept } = Policy.gate([deactivate("Sales")], { destructive: "confirm", drift: "heal" })
    expect(Policy.describeKept(kept[0]!)).toBe(`held for approval (destructive: confirm): deactivate Sales [${kept[0]!.id}]`)
  })
})

describe("DriftReport", () => {
  const at = new Date("2026-01-01T10:00:00.000Z")

  it("names each drifted field with the value orgsync applied and the value found", () => {
    const found = DriftReport.details([rename("Sales", "drift"), deactivate("Legal", [], "drift"), rename("Ops")], at)
    expect(found).toEqual([
      { path: "Sales", orgUid: "u/Sales", field: "name", applied: "Sales", current: "Old", seenAt: at },
      { path: "Sales", orgUid: "u/Sales", field: "extRef", applied: "X-1", current: "X-2", seenAt: at },
      { path: "Legal", orgUid: "u/Legal", field: "status", applied: "deactivated", current: "active", seenAt: at }
    ])
  })

  it("keeps the first sighting of drift left at the same value, and starts again at another value", () => {
    const earlier = new Date("2026-01-01T09:00:00.000Z")
    const before = DriftReport.details([rename("Sales", "drift")], earlier)
    const again = DriftReport.since(DriftReport.details([rename("Sales", "drift")], at), before)
    expect(again.map((d) => d.seenAt)).toEqual([earlier, earlier])
    const moved = DriftReport.since(
      DriftReport.details([change("Sales", { ...rename("Sales", "drift"), before: { name: "Other", extRef: "X-2" } })], at),
      before
    )
    expect(moved.map((d) => [d.field, d.seenAt])).toEqual([["name", at], ["extRef", earlier]])
  })
})
