import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { PCGRandom } from "effect/Utils"
import { GeneratedSeed, Tenant } from "../src/index.js"

const tenantOf = (count: number, randomSeed: number) =>
  Either.getOrThrow(Tenant.Tenant.fromSeed(GeneratedSeed.generate(count, randomSeed).org, new PCGRandom(1), 0))

const depth = (org: Tenant.OrgNode): number => (org.parent === undefined ? 0 : 1 + depth(org.parent))

describe("GeneratedSeed.generate", () => {
  it("builds exactly the number of orgs asked for", () => {
    for (const count of [1, 2, 7, 50, 3000]) {
      expect([count, tenantOf(count, 1).size]).toEqual([count, count])
    }
  })

  it("is reproducible from its random seed", () => {
    expect(GeneratedSeed.generate(500, 42)).toEqual(GeneratedSeed.generate(500, 42))
    expect(GeneratedSeed.generate(500, 42)).not.toEqual(GeneratedSeed.generate(500, 43))
  })

  const tenant = tenantOf(5000, 7)
  const orgs = tenant.orgs()

  it("nests regions, divisions, departments and teams", () => {
    const depths = new Set(orgs.map(depth))
    expect([...depths].sort()).toEqual(expect.arrayContaining([0, 1, 2, 3, 4]))
    const regions = tenant.top.children.map((org) => org.orgName)
    expect(regions.length).toBeGreaterThanOrEqual(3)
    expect(regions).toEqual(expect.arrayContaining([expect.stringMatching(/America|Europe|Asia|Africa|Middle|Oceania/)]))
    expect(orgs.some((org) => org.orgExtRef !== null)).toBe(true)
    expect(orgs.some((org) => org.userCount > 0)).toBe(true)
  })

  it("reuses names across branches but never among siblings", () => {
    const parentsByName = new Map<string, Set<number>>()
    for (const org of orgs.slice(1)) {
      const parents = parentsByName.get(org.orgName) ?? new Set()
      parents.add(org.parent!.orgId)
      parentsByName.set(org.orgName, parents)
    }
    expect([...parentsByName.values()].some((parents) => parents.size > 1)).toBe(true)
    for (const org of orgs) {
      const names = org.children.map((child) => child.orgName)
      expect(new Set(names).size).toBe(names.length)
    }
  })

  it("mixes blocked and deactivated subtrees, as the cascades allow", () => {
    const rootsOf = (test: (org: Tenant.OrgNode) => boolean) =>
      orgs.filter((org) => test(org) && org.parent !== undefined && !test(org.parent))
    expect(rootsOf((org) => org.blocked).length).toBeGreaterThan(5)
    expect(rootsOf((org) => !org.active).length).toBeGreaterThan(5)
    expect(orgs.filter((org) => org.active && org.parent?.active === false)).toEqual([])
    expect(tenant.top).toMatchObject({ active: true, blocked: false })
    // Most of the tenant stays usable.
    expect(orgs.filter((org) => org.active && !org.blocked).length).toBeGreaterThan(orgs.length / 2)
  })

  it("never leaves an org unblocked under a blocked parent, which Code42 refuses to reach", () => {
    for (const randomSeed of [1, 7, 99]) {
      const unblocked = tenantOf(5000, randomSeed).orgs().filter((org) => !org.blocked && org.parent?.blocked === true)
      expect([randomSeed, unblocked.length]).toEqual([randomSeed, 0])
    }
  })
})
