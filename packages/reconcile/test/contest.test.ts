import { Org } from "@c42/core"
import { describe, expect, it } from "vitest"
import * as Contest from "../src/Contest.js"

const org = (fields: { readonly active?: boolean; readonly blocked?: boolean; readonly status?: string }) =>
  new Org.Org({
    orgId: 2,
    orgUid: "u2",
    orgGuid: "g2",
    orgName: "Sales",
    orgExtRef: null,
    notes: null,
    parentOrgId: 1,
    parentOrgUid: "u1",
    parentOrgGuid: "g1",
    ...fields
  })

describe("Contest.reverted", () => {
  const wroteActive = [{ orgUid: "u2", field: "status", value: "active" }] as const

  it("finds a status changed back in Code42", () => {
    expect(Contest.reverted(wroteActive, [org({ active: true, blocked: true })])).toEqual(wroteActive)
    expect(Contest.reverted(wroteActive, [org({ active: false, status: "Deactivated" })])).toEqual(wroteActive)
  })

  it("keeps a status Code42 still holds", () => {
    expect(Contest.reverted(wroteActive, [org({ active: true, blocked: false })])).toEqual([])
  })

  // The planner takes such an org as active: counting it as changed back would contest an org it leaves alone.
  it("reads an org whose body says neither active nor blocked as active, as the planner does", () => {
    const silent = org({})
    expect(silent.active).toBeUndefined()
    expect(Contest.reverted(wroteActive, [silent])).toEqual([])
  })
})
