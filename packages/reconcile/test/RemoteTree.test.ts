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
