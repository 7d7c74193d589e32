/**
 * Under `drift: report` a hand change is shown, not reverted, also when the files change another field of the
 * same org: the planner splits the update into the fields the files changed (applied) and the fields changed
 * by hand (a drift change the policy keeps back). Under `heal` one update sets every field, as before.
 */
import { describe, expect, it } from "@effect/vitest"
import * as DriftReport from "../src/DriftReport.js"
import type * as Plan from "../src/Plan.js"
import * as Policy from "../src/Policy.js"
import { d, plan, r, tenant, uid } from "./plan-fixtures.js"

/** Sales as orgsync last applied it: extRef S-0, notes Revenue. */
const applied: Plan.Identity = {
  path: "Sales",
  orgUid: uid("Sales"),
  applied: { name: "Sales", extRef: "S-0", notes: "Revenue", status: "active" }
}
/** Someone changed the notes in the console; the file changes only the extRef. */
const remote = tenant(r("Sales", { extRef: "S-0", notes: "by hand" }))
const desired = [d("Sales", { extRef: "S-1", notes: "Revenue" })]

const fields = (changes: ReadonlyArray<Plan.Change>) =>
  changes.map((c) => ({ action: c.action, cause: c.cause, before: c.before, after: c.after }))

describe("Plan.make: an update under drift: report", () => {
  it("changes only the fields the files changed, and plans the hand-changed ones apart as drift", () => {
    const result = plan(remote, desired, { identities: [applied], drift: "report" })
    expect(fields(result.changes)).toEqual([
      { action: "update", cause: "desired", before: { extRef: "S-0" }, after: { extRef: "S-1" } },
      { action: "update", cause: "drift", before: { notes: "by hand" }, after: { notes: "Revenue" } }
    ])
    const { allowed, kept } = Policy.gate(result.changes, { destructive: "auto", drift: "report" })
    expect(fields(allowed)).toEqual([fields(result.changes)[0]])
    expect(kept.map((k) => k.reason)).toEqual(["drift"])
    expect(DriftReport.details(result.changes, new Date(0)).map((x) => [x.field, x.applied, x.current])).toEqual([
      ["notes", "Revenue", "by hand"]
    ])
  })

  it("a field the files changed too is set to the files' value, hand change or not", () => {
    const result = plan(remote, [d("Sales", { extRef: "S-1", notes: "Sales and revenue" })], { identities: [applied], drift: "report" })
    expect(fields(result.changes)).toEqual([{
      action: "update",
      cause: "desired",
      before: { extRef: "S-0", notes: "by hand" },
      after: { extRef: "S-1", notes: "Sales and revenue" }
    }])
  })

  it("under heal, one update sets every field that differs", () => {
    const result = plan(remote, desired, { identities: [applied], drift: "heal" })
    expect(fields(result.changes)).toEqual([{
      action: "update",
      cause: "desired",
      before: { extRef: "S-0", notes: "by hand" },
      after: { extRef: "S-1", notes: "Revenue" }
    }])
    expect(plan(remote, desired, { identities: [applied] }).changes).toEqual(result.changes)
  })
})
