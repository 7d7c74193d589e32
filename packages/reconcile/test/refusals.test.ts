import { Code42Error } from "@c42/core"
import { describe, expect, it } from "@effect/vitest"
import * as Refusals from "../src/Refusals.js"
import { conflictLines, d, lines, plan, r, tenant } from "./planFixtures.js"

const refused = (code: Code42Error.OrgRuleCode, operation = "createOrg") =>
  new Code42Error.OrgRuleError({ operation, status: 500, code })

describe("Refusals", () => {
  const remote = tenant(r("Engineering", {}, r("Platform")), r("Sales"))
  const wanted = [d("Engineering", {}, d("Platform"), d("Sales", {}, d("EMEA"))), d("Sales")]

  it("holds a refused create back, with the creates below it, as a conflict saying what Code42 refused", () => {
    const planned = plan(remote, wanted)
    expect(lines(planned)).toEqual(["create Engineering/Sales", "create Engineering/Sales/EMEA"])
    const refusal = Refusals.make(planned.changes[0]!, refused("ORG_DUPLICATE"), remote)
    const { plan: withheld, standing } = Refusals.withhold(planned, [refusal], Refusals.digest(remote))
    expect(lines(withheld)).toEqual([])
    expect(conflictLines(withheld)).toEqual(["refused-by-code42 Engineering/Sales"])
    expect(withheld.conflicts[0]!.message).toContain("Code42 refused to create Engineering/Sales (ORG_DUPLICATE)")
    expect(standing).toEqual([refusal])
  })

  it("sends the change again once the tenant or the change differs", () => {
    const planned = plan(remote, wanted)
    const refusal = Refusals.make(planned.changes[0]!, refused("ORG_DUPLICATE"), remote)
    const moved = tenant(r("Engineering", {}, r("Platform")), r("Sales", {}, r("New")))
    expect(lines(Refusals.withhold(planned, [refusal], Refusals.digest(moved)).plan)).toEqual(lines(planned))
    const renamed = plan(remote, [d("Engineering", {}, d("Platform"), d("Sales EU")), d("Sales")])
    expect(lines(Refusals.withhold(renamed, [refusal], Refusals.digest(remote)).plan)).toEqual([
      "create Engineering/Sales EU"
    ])
  })

  it("fingerprints the tenant whatever the listing's order, and any change of a name, status or parent", () => {
    expect(Refusals.digest([...remote].reverse())).toBe(Refusals.digest(remote))
    expect(Refusals.digest(tenant(r("Engineering", {}, r("Platform")), r("Sales", { status: "blocked" }))))
      .not.toBe(Refusals.digest(remote))
    expect(Refusals.digest(tenant(r("Engineering", {}, r("Platforms")), r("Sales")))).not.toBe(Refusals.digest(remote))
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
