import { Org } from "@c42/core"
import { describe, expect, it } from "vitest"
import * as RemoteTree from "../src/RemoteTree.js"

const org = (uid: string, parent: string | null) =>
  new Org.Org({
    orgId: Number(uid),
    orgUid: uid,
    orgGuid: `g${uid}`,
    orgName: `Org ${uid}`,
    orgExtRef: null,
    notes: null,
    status: "Active",
    active: true,
    blocked: false,
    parentOrgId: parent === null ? null : Number(parent),
    parentOrgUid: parent,
    parentOrgGuid: parent === null ? null : `g${parent}`
  })

describe("RemoteTree.check", () => {
  it("accepts one tree", () => {
    expect(RemoteTree.check([org("1", null), org("2", "1"), org("3", "2"), org("4", "1")])).toBeUndefined()
  })

  it.each([
    ["an org listed twice", [org("1", null), org("2", "1"), org("2", "1")], "org 2 is listed twice"],
    ["no top-level org", [org("1", "2"), org("2", "1")], "0 top-level orgs instead of one"],
    ["two top-level orgs", [org("1", null), org("2", null)], "2 top-level orgs instead of one"],
    ["an org that is its own parent", [org("1", null), org("2", "2")], "org 2 is its own ancestor"],
    ["a cycle", [org("1", null), org("2", "3"), org("3", "4"), org("4", "2")], "org 2 is its own ancestor"],
    ["an unknown parent", [org("1", null), org("2", "9")], "org 2 has a parent 9 that is not listed"]
  ])("refuses %s", (_, orgs, detail) => {
    expect(RemoteTree.check(orgs)?.message).toBe(
      `Code42's org listing is inconsistent (${detail}); nothing was planned from it`
    )
  })
})

describe("RemoteTree.index", () => {
  const uids = (orgs: ReadonlyArray<{ readonly orgUid: string }> | undefined) => (orgs ?? []).map((o) => o.orgUid)

  it("lists each org's children in listing order, and the top-level org", () => {
    const index = RemoteTree.index([org("1", null), org("3", "1"), org("2", "1"), org("4", "3")])
    expect(uids(index.children.get("1"))).toEqual(["3", "2"])
    expect(uids(index.children.get("3"))).toEqual(["4"])
    expect(index.children.get("4")).toBeUndefined()
    expect(index.topLevel?.orgUid).toBe("1")
    expect([...index.byUid.keys()]).toEqual(["1", "3", "2", "4"])
  })

  it("finds a parent named by its orgId only", () => {
    const byIdOnly = new Org.Org({ ...org("2", "1"), parentOrgUid: null })
    const index = RemoteTree.index([org("1", null), byIdOnly])
    expect(uids(index.children.get("1"))).toEqual(["2"])
    expect(index.topLevel?.orgUid).toBe("1")
  })

  it("keeps the first of an org listed twice", () => {
    const again = new Org.Org({ ...org("2", "1"), orgName: "Again" })
    const index = RemoteTree.index([org("1", null), org("2", "1"), again])
    expect(uids(index.children.get("1"))).toEqual(["2"])
    expect(index.byUid.get("2")?.orgName).toBe("Org 2")
  })

  it("takes the first org without a parent as the top-level org; an unknown parent is never reached from it", () => {
    const unknownId = new Org.Org({ ...org("6", "8"), parentOrgUid: null })
    const index = RemoteTree.index([org("5", "9"), unknownId, org("1", null), org("2", null)])
    expect(index.topLevel?.orgUid).toBe("1")
    expect(uids(index.children.get("9"))).toEqual(["5"])
    expect([...index.children.keys()]).toEqual(["9"])
    expect(index.byUid.has("6")).toBe(true)
  })

  it("indexes orgs without an orgId (the gateway family) by their uid", () => {
    const { orgId: _top, ...top } = org("1", null)
    const { orgId: _child, ...child } = org("2", "1")
    const index = RemoteTree.index([top, child])
    expect(uids(index.children.get("1"))).toEqual(["2"])
  })
})

describe("RemoteTree.statusOf", () => {
  it.each([
    [{ active: true, blocked: false }, "active"],
    [{ active: true, blocked: true }, "blocked"],
    [{ active: false, blocked: true }, "deactivated"],
    [{ active: false, blocked: false }, "deactivated"],
    [{}, "active"]
  ] as const)("reads %o as %s", (state, status) => {
    expect(RemoteTree.statusOf(state)).toBe(status)
  })
})
