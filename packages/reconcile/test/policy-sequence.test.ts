/**
 * The planner unblocks a blocked org to create under it and blocks it again; the policy keeps that sequence
 * whole. When it would keep the re-block back (`destructive: confirm` not yet approved, or `never`), it keeps
 * the unblock and the creates that need it too, under the re-block's id, so that an org that must stay
 * blocked is never left unblocked; one approval of that id applies the three.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Policy from "../src/Policy.js"
import { d, plan, r, tenant } from "./plan-fixtures.js"

const confirm: Policy.Policy = { destructive: "confirm", drift: "heal" }

const lines = (changes: ReadonlyArray<{ readonly action: string; readonly path: string }>) =>
  changes.map((c) => `${c.action} ${c.path}`)

/** Sales blocked and staying so; the file adds EMEA (with Paris under it) below it, and Support beside it. */
const planned = plan(
  tenant(r("Sales", { status: "blocked" }, r("APAC", { status: "blocked" })), r("Legal")),
  [d("Sales", { status: "blocked" }, d("APAC"), d("EMEA", {}, d("Paris"))), d("Legal"), d("Support")]
)

describe("Policy.gate: unblock, create and block again as one", () => {
  it("is what the planner plans", () => {
    expect(lines(planned.changes)).toEqual([
      "unblock Sales",
      "create Support",
      "create Sales/EMEA",
      "create Sales/EMEA/Paris",
      "block Sales"
    ])
  })

  it("confirm keeps the unblock and the creates under it with the re-block, under its id; the rest applies", () => {
    const { allowed, kept } = Policy.gate(planned.changes, confirm)
    expect(lines(allowed)).toEqual(["create Support"])
    expect(lines(kept.map((k) => k.change))).toEqual(["unblock Sales", "create Sales/EMEA", "create Sales/EMEA/Paris", "block Sales"])
    const block = kept[3]!
    expect(block).toMatchObject({ reason: "awaiting-approval", checksum: Policy.checksum(planned.changes[4]!) })
    expect(block.goesWith).toBeUndefined()
    for (const k of kept.slice(0, 3)) {
      expect(k).toMatchObject({ id: block.id, checksum: block.checksum, reason: "awaiting-approval", goesWith: block.change })
    }
    expect(Policy.describeKept(kept[0]!)).toBe(
      `held for approval (destructive: confirm): unblock Sales, held with block Sales [${block.id}]`
    )
  })

  it("an approval of the re-block applies the whole sequence", () => {
    const sum = Policy.checksum(planned.changes[4]!)
    const { allowed, kept } = Policy.gate(planned.changes, confirm, { approved: (s) => s === sum, rejected: () => false })
    expect(lines(allowed)).toEqual(lines(planned.changes))
    expect(kept).toEqual([])
  })

  it("a rejection or never keeps the sequence as it keeps the re-block; auto applies it as planned", () => {
    const sum = Policy.checksum(planned.changes[4]!)
    const rejected = Policy.gate(planned.changes, confirm, { approved: () => false, rejected: (s) => s === sum })
    expect(rejected.kept.map((k) => k.reason)).toEqual(["rejected", "rejected", "rejected", "rejected"])
    const never = Policy.gate(planned.changes, { destructive: "never", drift: "heal" }, { approved: () => true, rejected: () => false })
    expect(lines(never.allowed)).toEqual(["create Support"])
    expect(never.kept.map((k) => k.reason)).toEqual(["never", "never", "never", "never"])
    expect(lines(Policy.gate(planned.changes, Policy.auto).allowed)).toEqual(lines(planned.changes))
  })

  it("an unblock whose cascade opens an org a kept block would close again is kept with that block", () => {
    const cascade = plan(
      tenant(r("Ops", { status: "blocked" }, r("Vault", { status: "blocked" }), r("Desk", { status: "blocked" }))),
      [d("Ops", { status: "active" }, d("Vault", { status: "blocked" }), d("Desk"))]
    )
    expect(lines(cascade.changes)).toEqual(["unblock Ops", "block Ops/Vault"])
    const { allowed, kept } = Policy.gate(cascade.changes, confirm)
    expect(allowed).toEqual([])
    expect(kept.map((k) => [k.change.action, k.change.path, k.goesWith?.path])).toEqual([
      ["unblock", "Ops", "Ops/Vault"],
      ["block", "Ops/Vault", undefined]
    ])
  })

  it("an unblock that no kept change closes again applies, with the creates under it", () => {
    const opened = plan(
      tenant(r("Sales", { status: "blocked" }), r("Legal")),
      [d("Sales", { status: "active" }, d("EMEA")), d("Legal", { status: "blocked" })]
    )
    expect(lines(opened.changes)).toEqual(["unblock Sales", "create Sales/EMEA", "block Legal"])
    const { allowed, kept } = Policy.gate(opened.changes, confirm)
    expect(lines(allowed)).toEqual(["unblock Sales", "create Sales/EMEA"])
    expect(kept.map((k) => [k.change.action, k.change.path, k.goesWith])).toEqual([["block", "Legal", undefined]])
  })
})
