import { Code42Error } from "@c42/core"
import { describe, expect, it } from "@effect/vitest"
import * as Refusals from "../src/Refusals.js"
import { conflictLines, d, lines, plan, r, tenant } from "./plan-fixtures.js"

const refused = (code: Code42Error.OrgRuleCode, operation = "createOrg") =>
  new Code42Error.OrgRuleError({ operation, status: 500, code })

describe("Refusals", () => {
  const remote = tenant(r("Engineering", {}, r("Platform")), r("Sales"))
  const wanted = [d("Engineering", {}, d("Platform"), d("Sales", {}, d("EMEA"))), d("Sales")]

  it("holds a refused create back, with the creates below it, as a conflict saying what Code42 refused", () => {
    const planned = plan(remote, wanted)
    expect(lines(planned)).toEqual(["create Engineering/Sales", "create Engineering/Sales/EMEA"])
    const refusal = Refusals.make(planned.changes[0]!, refused("ORG_DUPLICATE"), remote)
    const { plan: withheld, standing } = Refusals.withhold(planned, [refusal], remote)
    expect(lines(withheld)).toEqual([])
    expect(conflictLines(withheld)).toEqual(["refused-by-code42 Engineering/Sales"])
    expect(withheld.conflicts[0]!.message).toContain("Code42 refused to create Engineering/Sales (ORG_DUPLICATE)")
    expect(standing).toEqual([refusal])
  })

  it("sends the change again once the change or what Code42's rule looks at differs, not for other writes", () => {
    const planned = plan(remote, wanted)
    const refusal = Refusals.make(planned.changes[0]!, refused("ORG_DUPLICATE"), remote)
    // Another write of the same apply elsewhere in the tenant: still refused.
    const elsewhere = tenant(r("Engineering", {}, r("Platform")), r("Sales", {}, r("New")))
    expect(lines(Refusals.withhold(planned, [refusal], elsewhere).plan)).toEqual([])
    // The org that held the name renamed by hand: sent again.
    const freed = tenant(r("Engineering", {}, r("Platform")), r("Sales Old"))
    expect(lines(Refusals.withhold(planned, [refusal], freed).plan)).toEqual(lines(planned))
    const renamed = plan(remote, [d("Engineering", {}, d("Platform"), d("Sales EU")), d("Sales")])
    expect(lines(Refusals.withhold(renamed, [refusal], remote).plan)).toEqual(["create Engineering/Sales EU"])
  })

  it("fingerprints what a rule looks at whatever the listing's order, and any change of it", () => {
    const change = plan(remote, wanted).changes[0]!
    expect(Refusals.digest(change, "SYSTEM", [...remote].reverse())).toBe(Refusals.digest(change, "SYSTEM", remote))
    expect(Refusals.digest(change, "SYSTEM", tenant(r("Engineering", {}, r("Platform")), r("Sales", { status: "blocked" }))))
      .not.toBe(Refusals.digest(change, "SYSTEM", remote))
    const above = tenant(r("Engineering", { status: "blocked" }, r("Platform")), r("Sales"))
    expect(Refusals.digest(change, "PARENT_ORG_BLOCKED", above)).not.toBe(
      Refusals.digest(change, "PARENT_ORG_BLOCKED", remote)
    )
    expect(Refusals.digest(change, "PARENT_ORG_BLOCKED", tenant(r("Engineering", {}, r("Platform")), r("Sales", {
      status: "blocked"
    })))).toBe(Refusals.digest(change, "PARENT_ORG_BLOCKED", remote))
  })

  it("names the blocked org above an unblock that Code42 refused", () => {
    const before = tenant(r("Engineering", {}, r("Platform", { status: "blocked" })))
    const planned = plan(before, [d("Engineering", {}, d("Platform"))])
    expect(lines(planned)).toEqual(["unblock Engineering/Platform"])
    // Someone blocked Engineering before the unblock reached Code42.
    const blocked = tenant(r("Engineering", { status: "blocked" }, r("Platform", { status: "blocked" })))
    const refusal = Refusals.make(planned.changes[0]!, refused("PARENT_ORG_IS_BLOCKED", "unblock"), blocked)
    expect(refusal.message).toContain("The blocked org above it: Engineering (u/Engineering).")
  })

  it("keeps one refusal per change, the latest", () => {
    const planned = plan(remote, wanted)
    const first = Refusals.make(planned.changes[0]!, refused("ORG_DUPLICATE"), remote)
    const later = { ...first, tenant: "other" }
    expect(Refusals.merge([first], [later])).toEqual([later])
  })
})
