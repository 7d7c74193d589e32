/**
 * An approved unblock, create and block again cut off between its steps (a suspension, a stop, a create that
 * failed) leaves the org unblocked by orgsync itself. The next pass does not take that for a change by hand:
 * the re-block is planned as the file's (cause desired), and under `destructive: confirm` it finishes the
 * sequence already approved, with the creates still pending, without another approval.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Policy from "../src/Policy.js"
import type * as Plan from "../src/Plan.js"
import { d, plan, r, tenant, uid } from "./plan-fixtures.js"

const confirm: Policy.Policy = { destructive: "confirm", drift: "report" }

const lines = (changes: ReadonlyArray<Plan.Change>) => changes.map((c) => `${c.action} ${c.path} (${c.cause})`)

/** Ops was blocked by orgsync, as the file asks; the file adds OpsKid under it. */
const identities: ReadonlyArray<Plan.Identity> = [
  { path: "Ops", orgUid: uid("Ops"), applied: { name: "Ops", extRef: null, notes: null, status: "blocked" } }
]
const files = [d("Ops", { status: "blocked" }, d("OpsKid"))]
/** The sequence was cut right after the unblock: Ops is open, OpsKid not created yet. */
const open = tenant(r("Ops"))
const unblocked = new Map([[uid("Ops"), "active"]])

describe("an approved sequence cut off after its unblock", () => {
  it("plans the re-block as the file's, not as drift, when orgsync's last write to the org was that unblock", () => {
    const planned = plan(open, files, { identities, drift: "report", statusWritten: unblocked })
    expect(lines(planned.changes)).toEqual(["create Ops/OpsKid (desired)", "block Ops (desired)"])
  })

  it("takes the same open org for drift when orgsync's last write to it was the block (a change by hand)", () => {
    const planned = plan(open, files, { identities, drift: "report", statusWritten: new Map([[uid("Ops"), "blocked"]]) })
    expect(lines(planned.changes)).toEqual(["create Ops/OpsKid (desired)", "block Ops (drift)"])
    const byHand = plan(open, files, { identities, drift: "report" })
    expect(lines(byHand.changes)).toEqual(["create Ops/OpsKid (desired)", "block Ops (drift)"])
  })

  it("confirm finishes the sequence without another approval: the creates, then the re-block", () => {
    const planned = plan(open, files, { identities, drift: "report", statusWritten: unblocked })
    const opened = Policy.openedByOrgsync([{ orgUid: uid("Ops"), field: "status", value: "active" }], identities)
    expect([...opened]).toEqual([uid("Ops")])
    const { allowed, kept } = Policy.gate(planned.changes, confirm, Policy.noDecisions, opened)
    expect(lines(allowed)).toEqual(["create Ops/OpsKid (desired)", "block Ops (desired)"])
    expect(kept).toEqual([])
    // Without it, the block waits for a new approval; never still never blocks.
    expect(lines(Policy.gate(planned.changes, confirm).kept.map((k) => k.change))).toEqual(["block Ops (desired)"])
    const never = Policy.gate(planned.changes, { destructive: "never", drift: "report" }, Policy.noDecisions, opened)
    expect(never.kept.map((k) => k.reason)).toEqual(["never"])
  })

  it("an org whose file asked for it unblocked when orgsync unblocked it is not one orgsync opened for creates", () => {
    const asked: ReadonlyArray<Plan.Identity> = [{ ...identities[0]!, applied: { ...identities[0]!.applied!, status: "active" } }]
    const written = [{ orgUid: uid("Ops"), field: "status" as const, value: "active" }]
    expect(Policy.openedByOrgsync(written, asked).size).toBe(0)
    expect(Policy.openedByOrgsync([{ ...written[0]!, value: "blocked" }], identities).size).toBe(0)
  })
})
