import { describe, expect, it } from "vitest"
import * as Plan from "../src/Plan.js"
import { d, plan, r, tenant } from "./plan-fixtures.js"

describe("Plan.restricts", () => {
  it.each([
    ["block", true],
    ["deactivate", true],
    ["create", false],
    ["update", false],
    ["unblock", false],
    ["reactivate", false]
  ] as const)("%s: %s", (action, restricts) => {
    expect(Plan.restricts({ action })).toBe(restricts)
  })
})

describe("Plan.converged", () => {
  const remote = tenant(r("Sales"))

  it("holds for a plan with no change, no conflict and no refusal", () => {
    expect(Plan.converged(plan(remote, [d("Sales")]))).toBe(true)
  })

  it("fails for a plan with a change", () => {
    expect(Plan.converged(plan(remote, [d("Sales", { status: "blocked" })]))).toBe(false)
  })

  it("fails for a plan with a conflict", () => {
    expect(Plan.converged(plan(remote, [d("Sales", { uid: "missing" })]))).toBe(false)
  })

  it("fails for a refused plan", () => {
    expect(Plan.converged(plan(remote, [], {}))).toBe(false)
  })
})
