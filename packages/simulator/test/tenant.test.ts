import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { PCGRandom } from "effect/Utils"
import type { Seed } from "../src/index.js"
import { OrgBody, Tenant } from "../src/index.js"
import { smallSeed } from "./support.js"

const t0 = Date.parse("2024-05-01T10:00:00.000Z")
const later = t0 + 60_000
const rules: Tenant.Rules = { uniqueNames: "none", renameOnDeactivate: false }

const build = (seed: Seed.SeedOrg = smallSeed.org, randomSeed = 1) =>
  Either.getOrThrow(Tenant.Tenant.fromSeed(seed, new PCGRandom(randomSeed), t0))

const named = (tenant: Tenant.Tenant, name: string) => tenant.orgs().find((org) => org.orgName === name)!

const states = (tenant: Tenant.Tenant) =>
  Object.fromEntries(
    tenant.orgs().map((org) => [org.orgName, `${org.active ? "active" : "inactive"}/${org.blocked ? "blocked" : "open"}`])
  )

const refusalCode = <A>(result: Either.Either<A, Tenant.OrgRefused>) =>
  Either.match(result, { onLeft: (refused) => refused.code, onRight: () => "accepted" })

describe("Tenant.fromSeed", () => {
  it("numbers orgs depth-first from 1 with Code42-shaped ids", () => {
    const tenant = build()
    expect(tenant.orgs().map((org) => [org.orgId, org.orgName])).toEqual([
      [1, "Acme"],
      [2, "Engineering"],
      [3, "Platform"],
      [4, "Platform Core"],
      [5, "Mobile"],
      [6, "Sales"],
      [7, "Field Sales"]
    ])
    for (const org of tenant.orgs()) {
      expect(org.orgUid).toMatch(/^\d{18,19}$/)
      expect(org.orgGuid).not.toEqual(org.orgUid)
      expect(org.registrationKey).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/)
      expect(tenant.byUid(org.orgUid)).toBe(org)
      expect(tenant.byGuid(org.orgGuid)).toBe(org)
      expect(tenant.byId(org.orgId)).toBe(org)
    }
    expect(new Set(tenant.orgs().map((org) => org.orgUid)).size).toBe(7)
    expect(tenant.byId(0)).toBeUndefined()
    expect(tenant.byId(8)).toBeUndefined()
  })

  it("gives the same ids for the same random seed, and others for another", () => {
    const uids = (tenant: Tenant.Tenant) => tenant.orgs().map((org) => [org.orgUid, org.orgGuid])
    expect(uids(build(smallSeed.org, 5))).toEqual(uids(build(smallSeed.org, 5)))
    expect(uids(build(smallSeed.org, 5))).not.toEqual(uids(build(smallSeed.org, 6)))
  })

  it("lets children inherit their parent's state and keeps explicit uids", () => {
    const tenant = build({
      orgName: "Top",
      children: [
        { orgName: "Blocked", blocked: true, children: [{ orgName: "Inherits" }, { orgName: "Unblocked", blocked: false }] },
        { orgName: "Gone", active: false, orgUid: "1234567890123456789", children: [{ orgName: "Also gone" }] }
      ]
    })
    expect(states(tenant)).toEqual({
      Top: "active/open",
      Blocked: "active/blocked",
      Inherits: "active/blocked",
      Unblocked: "active/open",
      Gone: "inactive/open",
      "Also gone": "inactive/open"
    })
    expect(named(tenant, "Gone").orgUid).toBe("1234567890123456789")
    expect(named(tenant, "Also gone").deactivationDate).toBe(t0)
  })

  it("rejects seeds that break the tree's invariants", () => {
    const message = (seed: Seed.SeedOrg) =>
      Either.match(Tenant.Tenant.fromSeed(seed, new PCGRandom(1), t0), {
        onLeft: (error) => error.message,
        onRight: () => "accepted"
      })
    expect(message({ orgName: "Top", children: [{ orgName: "Off", active: false, children: [{ orgName: "Back on", active: true }] }] }))
      .toContain("active under the deactivated org")
    expect(message({ orgName: "Top", children: [{ orgName: "ab" }] })).toContain("at least three characters")
    expect(message({ orgName: "Top", orgUid: "111", children: [{ orgName: "Dup", orgUid: "111" }] }))
      .toContain("Duplicate orgUid 111")
  })
})

describe("Tenant state changes", () => {
  it("blocks an org and all its descendants, and nothing else", () => {
    const tenant = build()
    expect(Either.isRight(tenant.block(named(tenant, "Engineering"), later))).toBe(true)
    expect(states(tenant)).toEqual({
      Acme: "active/open",
      Engineering: "active/blocked",
      Platform: "active/blocked",
      "Platform Core": "active/blocked",
      Mobile: "active/blocked",
      Sales: "active/open",
      "Field Sales": "active/open"
    })
    expect(named(tenant, "Platform Core").modificationDate).toBe(later)
    expect(named(tenant, "Sales").modificationDate).toBe(t0)
  })

  it("repeats a block without changing anything", () => {
    const tenant = build()
    tenant.block(named(tenant, "Platform"), later)
    const before = states(tenant)
    expect(Either.isRight(tenant.block(named(tenant, "Platform"), later + 1000))).toBe(true)
    expect(states(tenant)).toEqual(before)
    expect(named(tenant, "Platform").modificationDate).toBe(later)
  })

  it("unblocks an org and all its descendants", () => {
    const tenant = build()
    tenant.block(named(tenant, "Engineering"), later)
    tenant.block(named(tenant, "Sales"), later)
    expect(refusalCode(tenant.unblock(named(tenant, "Engineering"), later))).toBe("accepted")
    expect(["Engineering", "Platform", "Platform Core", "Mobile"].map((name) => named(tenant, name).blocked))
      .toEqual([false, false, false, false])
    expect(named(tenant, "Sales").blocked).toBe(true)
    // Unblocking an unblocked org succeeds.
    expect(Either.isRight(tenant.unblock(named(tenant, "Mobile"), later))).toBe(true)
  })

  it("refuses to unblock an org under a blocked parent, as a forbidden change", () => {
    const tenant = build()
    tenant.block(named(tenant, "Engineering"), later)
    const refused = tenant.unblock(named(tenant, "Platform"), later + 5)
    expect(Either.isLeft(refused) && [refused.left.code, refused.left.kind]).toEqual(["PARENT_ORG_IS_BLOCKED", "forbidden"])
    expect([named(tenant, "Platform").blocked, named(tenant, "Platform Core").blocked]).toEqual([true, true])
    expect(named(tenant, "Platform").modificationDate).toBe(later)
  })

  it("deactivates a subtree but reactivates one org at a time, top-down", () => {
    const tenant = build()
    tenant.deactivate(named(tenant, "Engineering"), later, rules)
    expect(["Engineering", "Platform", "Platform Core", "Mobile"].map((name) => named(tenant, name).active))
      .toEqual([false, false, false, false])
    expect(named(tenant, "Mobile").deactivationDate).toBe(later)
    expect(named(tenant, "Sales").active).toBe(true)

    expect(refusalCode(tenant.reactivate(named(tenant, "Platform"), later))).toBe("PARENT_ORG_NOT_ACTIVE")
    expect(refusalCode(tenant.reactivate(named(tenant, "Engineering"), later))).toBe("accepted")
    expect(named(tenant, "Engineering").deactivationDate).toBeNull()
    expect(named(tenant, "Platform").active).toBe(false)
    expect(refusalCode(tenant.reactivate(named(tenant, "Platform"), later))).toBe("accepted")
    expect(named(tenant, "Platform Core").active).toBe(false)
    // Reactivating an active org succeeds.
    expect(refusalCode(tenant.reactivate(named(tenant, "Sales"), later))).toBe("accepted")
  })

  it("refuses every state change of orgId < 2, the top-level org", () => {
    const tenant = build()
    for (const change of [tenant.block(tenant.top, later), tenant.unblock(tenant.top, later),
      tenant.deactivate(tenant.top, later, rules), tenant.reactivate(tenant.top, later)]) {
      expect(Either.isLeft(change) && [change.left.code, change.left.kind]).toEqual(["SYSTEM", "forbidden"])
    }
    expect(tenant.top.blocked).toBe(false)
    expect(tenant.top.active).toBe(true)
  })

  it("renames a deactivated subtree when the rules say so, and keeps the names on reactivation", () => {
    const tenant = build()
    const renaming = { ...rules, renameOnDeactivate: true }
    tenant.deactivate(named(tenant, "Platform Core"), t0 + 1, renaming)
    tenant.deactivate(named(tenant, "Engineering"), later, renaming)
    const suffix = " deactivated 2024-05-01T10:01:00.000Z"
    expect(tenant.orgs().map((org) => org.orgName)).toEqual([
      "Acme",
      `Engineering${suffix}`,
      `Platform${suffix}`,
      // Already deactivated: renamed once, by its own deactivation.
      "Platform Core deactivated 2024-05-01T10:00:00.001Z",
      `Mobile${suffix}`,
      "Sales",
      "Field Sales"
    ])
    tenant.reactivate(tenant.orgs()[1]!, later + 5)
    expect(tenant.orgs()[1]!.orgName).toBe(`Engineering${suffix}`)
    // The old name is free again under tenant-wide uniqueness.
    const unique = { ...rules, uniqueNames: "tenant" as const }
    expect(refusalCode(tenant.create(tenant.top, { orgName: "Engineering" }, unique, later))).toBe("accepted")
  })
})

describe("Tenant create and update", () => {
  it("creates an active, unblocked child with fresh ids", () => {
    const tenant = build()
    const created = Either.getOrThrow(
      tenant.create(named(tenant, "Sales"), { orgName: "Inside Sales", orgExtRef: "S-2" }, rules, later)
    )
    expect(created.orgId).toBe(8)
    expect(created.parent).toBe(named(tenant, "Sales"))
    expect(created.orgExtRef).toBe("S-2")
    expect(created.notes).toBeNull()
    expect(created.creationDate).toBe(later)
    expect(named(tenant, "Sales").children).toContain(created)
    expect(tenant.byUid(created.orgUid)).toBe(created)
  })

  it("refuses children of blocked or deactivated parents", () => {
    const tenant = build()
    tenant.block(named(tenant, "Platform"), later)
    tenant.deactivate(named(tenant, "Sales"), later, rules)
    expect(refusalCode(tenant.create(named(tenant, "Platform"), { orgName: "New" }, rules, later)))
      .toBe("PARENT_ORG_BLOCKED")
    expect(refusalCode(tenant.create(named(tenant, "Sales"), { orgName: "New" }, rules, later)))
      .toBe("PARENT_ORG_NOT_ACTIVE")
    // Both at once: the block is checked first.
    tenant.block(named(tenant, "Sales"), later)
    expect(refusalCode(tenant.create(named(tenant, "Sales"), { orgName: "New" }, rules, later)))
      .toBe("PARENT_ORG_BLOCKED")
    expect(tenant.size).toBe(7)
  })

  it("validates trimmed names: required, 3 to 220 characters, with the server's wording", () => {
    const tenant = build()
    const code = (orgName: unknown) => refusalCode(tenant.create(tenant.top, { orgName }, rules, later))
    expect(code(undefined)).toBe("ORG_NAME_MISSING")
    expect(code("   ")).toBe("ORG_NAME_MISSING")
    expect(code(42)).toBe("ORG_NAME_MISSING")
    expect(code("ab")).toBe("ORG_NAME_TOO_SHORT")
    expect(code("  ab  ")).toBe("ORG_NAME_TOO_SHORT")
    expect(code("x".repeat(221))).toBe("ORG_NAME_TOO_LONG")
    expect(code("abc")).toBe("accepted")
    expect(code(` ${"x".repeat(220)} `)).toBe("accepted")
    const short = tenant.create(tenant.top, { orgName: "QA" }, rules, later)
    expect(Either.isLeft(short) && short.left.description).toBe("Org name must be at least three characters long")
  })

  it("stores names trimmed, on create and on update", () => {
    const tenant = build()
    const created = Either.getOrThrow(tenant.create(tenant.top, { orgName: "  Legal \t" }, rules, later))
    expect(created.orgName).toBe("Legal")
    tenant.update(created, { orgName: " Legal Ops " }, rules, later)
    expect(created.orgName).toBe("Legal Ops")
  })

  it("allows duplicate sibling names unless the tenant enforces uniqueness among siblings", () => {
    const tenant = build()
    const strict = { ...rules, uniqueNames: "siblings" as const }
    expect(refusalCode(tenant.create(tenant.top, { orgName: "Sales" }, rules, later))).toBe("accepted")
    const refused = tenant.create(named(tenant, "Engineering"), { orgName: " Mobile " }, strict, later)
    expect(Either.isLeft(refused) && [refused.left.code, refused.left.kind]).toEqual(["ORG_DUPLICATE", "duplicate"])
    // The same name in another branch is no duplicate.
    expect(refusalCode(tenant.create(named(tenant, "Sales"), { orgName: "Mobile" }, strict, later))).toBe("accepted")
    expect(refusalCode(tenant.update(named(tenant, "Platform"), { orgName: "Mobile" }, strict, later)))
      .toBe("ORG_DUPLICATE")
    expect(refusalCode(tenant.update(named(tenant, "Platform"), { orgName: "Platform" }, strict, later)))
      .toBe("accepted")
  })

  it("refuses a name used anywhere in the tenant when uniqueness is tenant-wide", () => {
    const tenant = build()
    const strict = { ...rules, uniqueNames: "tenant" as const }
    expect(refusalCode(tenant.create(named(tenant, "Sales"), { orgName: "Mobile" }, strict, later))).toBe("ORG_DUPLICATE")
    expect(refusalCode(tenant.create(tenant.top, { orgName: "Acme" }, strict, later))).toBe("ORG_DUPLICATE")
    expect(refusalCode(tenant.update(named(tenant, "Sales"), { orgName: "Platform Core" }, strict, later)))
      .toBe("ORG_DUPLICATE")
    // Its own name is no duplicate; a name freed by a rename is free.
    expect(refusalCode(tenant.update(named(tenant, "Sales"), { orgName: "Sales", notes: "n" }, strict, later)))
      .toBe("accepted")
    expect(refusalCode(tenant.update(named(tenant, "Mobile"), { orgName: "Mobile Apps" }, strict, later)))
      .toBe("accepted")
    expect(refusalCode(tenant.create(named(tenant, "Sales"), { orgName: "Mobile" }, strict, later))).toBe("accepted")
    expect(refusalCode(tenant.create(named(tenant, "Sales"), { orgName: "Mobile" }, strict, later))).toBe("ORG_DUPLICATE")
  })

  it("updates only the fields given, and only touches the date on a change", () => {
    const tenant = build()
    const engineering = named(tenant, "Engineering")
    tenant.update(engineering, { notes: "Builds things" }, rules, later)
    expect([engineering.orgName, engineering.orgExtRef, engineering.notes]).toEqual([
      "Engineering",
      "ENG-001",
      "Builds things"
    ])
    expect(engineering.modificationDate).toBe(later)
    tenant.update(engineering, { orgName: "Engineering", orgExtRef: "ENG-001" }, rules, later + 5)
    expect(engineering.modificationDate).toBe(later)
    tenant.update(engineering, { orgName: "R&D", orgExtRef: null }, rules, later + 5)
    expect([engineering.orgName, engineering.orgExtRef]).toEqual(["R&D", null])
    expect(refusalCode(tenant.update(engineering, { orgName: "" }, rules, later))).toBe("ORG_NAME_MISSING")
  })
})

describe("Tenant reads", () => {
  it("pages in orgId order and filters by name and state", () => {
    const tenant = build()
    tenant.deactivate(named(tenant, "Sales"), later, rules)
    const names = (query: Tenant.PageQuery) => {
      const page = tenant.page(query)
      return [page.totalCount, page.orgs.map((org) => org.orgName)]
    }
    expect(names({ pgNum: 1, pgSize: 3 })).toEqual([7, ["Acme", "Engineering", "Platform"]])
    expect(names({ pgNum: 3, pgSize: 3 })).toEqual([7, ["Field Sales"]])
    expect(names({ pgNum: 4, pgSize: 3 })).toEqual([7, []])
    expect(names({ pgNum: 1, pgSize: 10, q: "PLAT" })).toEqual([2, ["Platform", "Platform Core"]])
    expect(names({ pgNum: 1, pgSize: 10, active: false })).toEqual([2, ["Sales", "Field Sales"]])
    expect(names({ pgNum: 2, pgSize: 2, active: true })).toEqual([5, ["Platform", "Platform Core"]])
  })

  it("counts a subtree's orgs, users and computers", () => {
    const tenant = build()
    expect(tenant.counts(named(tenant, "Engineering"))).toEqual({ orgCount: 3, userCount: 7, computerCount: 8 })
    expect(tenant.counts(named(tenant, "Mobile"))).toEqual({ orgCount: 0, userCount: 1, computerCount: 0 })
    expect(tenant.counts(tenant.top).orgCount).toBe(6)
  })

  it("serializes the API's org shape, with counts only when asked", () => {
    const tenant = build()
    const platform = named(tenant, "Platform")
    const json = OrgBody.toJson(platform)
    expect(json).toMatchObject({
      orgId: 3,
      orgName: "Platform",
      orgExtRef: null,
      status: "Active",
      active: true,
      blocked: false,
      parentOrgId: 2,
      parentOrgUid: named(tenant, "Engineering").orgUid,
      parentOrgGuid: named(tenant, "Engineering").orgGuid,
      type: "ENTERPRISE",
      classification: "BASIC",
      externalId: platform.orgUid,
      creationDate: "2024-05-01T10:00:00.000Z",
      deactivationDate: null,
      reporting: { orgManagers: [] },
      settings: { maxSeats: null, maxBytes: null },
      hierarchyCounts: {},
      configInheritanceCounts: {}
    })
    expect(json).not.toHaveProperty("orgCount")
    expect(OrgBody.toJson(platform, tenant.counts(platform))).toMatchObject({
      userCount: 2,
      computerCount: 3,
      orgCount: 1,
      hierarchyCounts: { orgCount: 1, userCount: 2, computerCount: 3 }
    })
    tenant.deactivate(platform, later, rules)
    expect(OrgBody.toJson(platform)).toMatchObject({ status: "Deactivated", deactivationDate: "2024-05-01T10:01:00.000Z" })
    expect(OrgBody.toJson(tenant.top).parentOrgId).toBeNull()
  })
})
