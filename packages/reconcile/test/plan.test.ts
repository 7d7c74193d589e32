import { describe, expect, it } from "@effect/vitest"
import type { Status } from "../src/Desired.js"
import * as Plan from "../src/Plan.js"
import { conflictLines, d, lines, plan, r, remoteOrg, tenant, uid } from "./plan-fixtures.js"

const applied = (
  path: string,
  fields: Partial<Required<Plan.Fields>> = {},
  orgUid = uid(path)
): Plan.Identity => ({
  path,
  orgUid,
  applied: { name: path.split("/").at(-1)!, extRef: null, notes: null, status: "active", ...fields }
})

describe("Plan.make: status transitions of one org", () => {
  const remoteStates: ReadonlyArray<readonly [string, { readonly status: Status; readonly alsoBlocked?: boolean }]> = [
    ["active", { status: "active" }],
    ["blocked", { status: "blocked" }],
    ["deactivated", { status: "deactivated" }],
    ["deactivated and blocked", { status: "deactivated", alsoBlocked: true }]
  ]
  const expected: Record<string, Record<Status, ReadonlyArray<string>>> = {
    "active": { active: [], blocked: ["block Alpha"], deactivated: ["deactivate Alpha"] },
    "blocked": { active: ["unblock Alpha"], blocked: [], deactivated: ["deactivate Alpha"] },
    "deactivated": { active: ["reactivate Alpha"], blocked: ["reactivate Alpha", "block Alpha"], deactivated: [] },
    "deactivated and blocked": {
      active: ["reactivate Alpha", "unblock Alpha"],
      blocked: ["reactivate Alpha"],
      deactivated: []
    }
  }
  for (const [label, state] of remoteStates) {
    for (const want of ["active", "blocked", "deactivated"] as const) {
      it(`${label} -> ${want}: ${expected[label]![want].join(", ") || "nothing"}`, () => {
        const result = plan(tenant(r("Alpha", state)), [d("Alpha", { status: want })])
        expect(lines(result)).toEqual(expected[label]![want])
        expect(result.conflicts).toEqual([])
        expect(result.refusal).toBeUndefined()
        // Each call moves the org one step, from the status before it to the status after it.
        let status: Status = state.status
        for (const change of result.changes) {
          expect(change.before).toEqual({ status })
          status = change.after!.status!
        }
        expect(status).toBe(want)
      })
    }
  }

  it("records the ids, the parent and the cause of a state change", () => {
    const remote = tenant(r("Alpha"))
    expect(plan(remote, [d("Alpha", { status: "blocked" })]).changes).toEqual([{
      action: "block",
      path: "Alpha",
      orgUid: uid("Alpha"),
      orgId: remoteOrg(remote, "Alpha").orgId,
      parentPath: "",
      parentOrgUid: uid(""),
      before: { status: "active" },
      after: { status: "blocked" },
      cascadesTo: [],
      cause: "desired"
    }])
  })
})

describe("Plan.make: cascades", () => {
  const sales = (...children: ReadonlyArray<ReturnType<typeof r>>) => r("Sales", {}, ...children)

  it("blocks the topmost org and lists the descendants its cascade reaches (inheritance)", () => {
    const remote = tenant(sales(r("EMEA", {}, r("Paris")), r("APAC")))
    const result = plan(remote, [d("Sales", { status: "blocked" }, d("EMEA", {}, d("Paris")), d("APAC"))])
    expect(lines(result)).toEqual(["block Sales > Sales/APAC, Sales/EMEA, Sales/EMEA/Paris"])
  })

  it("lists only the descendants whose status changes", () => {
    const remote = tenant(sales(r("EMEA", { status: "blocked" }), r("APAC"), r("Japan", { status: "deactivated" })))
    const result = plan(remote, [
      d("Sales", { status: "blocked" }, d("EMEA"), d("APAC"), d("Japan", { status: "deactivated" }))
    ])
    expect(lines(result)).toEqual(["block Sales > Sales/APAC"])
  })

  it("blocks a parent and deactivates a child with one call each", () => {
    const remote = tenant(sales(r("EMEA"), r("APAC")))
    const result = plan(remote, [d("Sales", { status: "blocked" }, d("EMEA", { status: "deactivated" }), d("APAC"))])
    expect(lines(result)).toEqual(["block Sales > Sales/APAC, Sales/EMEA", "deactivate Sales/EMEA"])
  })

  it("includes unmanaged descendants in a cascade", () => {
    const remote = tenant(sales(r("EMEA"), r("Legacy")))
    const result = plan(remote, [d("Sales", { status: "blocked" }, d("EMEA"))])
    expect(lines(result)).toEqual(["block Sales > Sales/EMEA, Sales/Legacy"])
    expect(result.unmanaged.map((u) => [u.path, u.action])).toEqual([["Sales/Legacy", "report"]])
  })

  it("unblocks the topmost org once and blocks again the descendants that must stay blocked", () => {
    const remote = tenant(
      r("Sales", { status: "blocked" }, r("EMEA", { status: "blocked" }, r("Paris", { status: "blocked" })),
        r("APAC", { status: "blocked" })),
      r("Support", { status: "blocked" })
    )
    const result = plan(remote, [
      d("Sales", { status: "active" }, d("EMEA", { status: "blocked" }, d("Paris")), d("APAC")),
      d("Support", { status: "active" })
    ])
    expect(lines(result)).toEqual([
      "unblock Sales > Sales/APAC, Sales/EMEA, Sales/EMEA/Paris",
      "unblock Support",
      "block Sales/EMEA > Sales/EMEA/Paris"
    ])
  })

  it("heals a block made by hand on a parent with one unblock", () => {
    const remote = tenant(r("Sales", { status: "blocked" }, r("EMEA", { status: "blocked" })))
    const result = plan(remote, [d("Sales", {}, d("EMEA"))])
    expect(lines(result)).toEqual(["unblock Sales > Sales/EMEA"])
  })

  it("deactivates a subtree with one call", () => {
    const remote = tenant(sales(r("EMEA", {}, r("Paris")), r("APAC")))
    const result = plan(remote, [d("Sales", { status: "deactivated" }, d("EMEA", {}, d("Paris")), d("APAC"))])
    expect(lines(result)).toEqual(["deactivate Sales > Sales/APAC, Sales/EMEA, Sales/EMEA/Paris"])
  })

  it("reactivates a deactivated subtree org by org, top-down, leaving what must stay deactivated", () => {
    const remote = tenant(
      r("Sales", { status: "deactivated" }, r("EMEA", { status: "deactivated" }, r("Paris", { status: "deactivated" })),
        r("APAC", { status: "deactivated" }))
    )
    const result = plan(remote, [
      d("Sales", {}, d("EMEA", {}, d("Paris")), d("APAC", { status: "deactivated" }))
    ])
    expect(lines(result)).toEqual(["reactivate Sales", "reactivate Sales/EMEA", "reactivate Sales/EMEA/Paris"])
  })

  it("reactivates under a reactivated parent, then unblocks and blocks as needed", () => {
    const remote = tenant(
      r("Sales", { status: "deactivated", alsoBlocked: true },
        r("EMEA", { status: "deactivated", alsoBlocked: true }), r("APAC", { status: "deactivated" }))
    )
    const result = plan(remote, [d("Sales", {}, d("EMEA"), d("APAC", { status: "blocked" }))])
    expect(lines(result)).toEqual([
      "reactivate Sales",
      "reactivate Sales/APAC",
      "reactivate Sales/EMEA",
      "unblock Sales > Sales/EMEA",
      "block Sales/APAC"
    ])
  })
})

describe("Plan.make: creates", () => {
  it("creates under the root and under new parents, parents first", () => {
    const remote = tenant(r("Sales"))
    const result = plan(remote, [
      d("Sales", {}, d("EMEA", { extRef: "S-EMEA", notes: null })),
      d("Support", { notes: "Help desk" }, d("Tier1", {}, d("Nights")))
    ])
    expect(lines(result)).toEqual([
      "create Support",
      "create Sales/EMEA",
      "create Support/Tier1",
      "create Support/Tier1/Nights"
    ])
    const [support, emea, tier1] = result.changes
    expect(support).toEqual({
      action: "create",
      path: "Support",
      orgUid: null,
      orgId: null,
      parentPath: "",
      parentOrgUid: uid(""),
      before: null,
      after: { name: "Support", notes: "Help desk" },
      cascadesTo: [],
      cause: "desired"
    })
    expect(emea).toMatchObject({
      parentPath: "Sales",
      parentOrgUid: uid("Sales"),
      after: { name: "EMEA", extRef: "S-EMEA", notes: null }
    })
    expect(tier1).toMatchObject({ parentPath: "Support", parentOrgUid: null, after: { name: "Tier1" } })
  })

  it("creates an org whose status is blocked or deactivated, then covers it", () => {
    const result = plan(tenant(), [
      d("Sales", { status: "blocked" }, d("EMEA"), d("APAC", { status: "deactivated" })),
      d("Legacy", { status: "deactivated" })
    ])
    expect(lines(result)).toEqual([
      "create Legacy",
      "create Sales",
      "create Sales/APAC",
      "create Sales/EMEA",
      "deactivate Legacy",
      "block Sales > Sales/APAC, Sales/EMEA",
      "deactivate Sales/APAC"
    ])
    const block = result.changes[5]!
    expect(block).toMatchObject({ orgUid: null, orgId: null, parentOrgUid: uid("") })
  })

  it("unblocks a blocked parent that stays blocked, creates, and blocks it again", () => {
    const remote = tenant(r("Sales", { status: "blocked" }, r("EMEA", { status: "blocked" })))
    const result = plan(remote, [d("Sales", { status: "blocked" }, d("EMEA"), d("APAC"))])
    expect(lines(result)).toEqual([
      "unblock Sales > Sales/EMEA",
      "create Sales/APAC",
      "block Sales > Sales/APAC, Sales/EMEA"
    ])
    expect(result.changes.map((c) => c.cause)).toEqual(["desired", "desired", "desired"])
  })

  it("unblocks once, as high as the blocked chain goes, for creates under several blocked parents", () => {
    const remote = tenant(
      r("Sales", { status: "blocked" }, r("EMEA", { status: "blocked" }), r("APAC", { status: "blocked" })),
      r("Support")
    )
    const result = plan(remote, [
      d("Sales", { status: "blocked" }, d("EMEA", {}, d("Paris")), d("APAC", {}, d("Tokyo"))),
      d("Support")
    ])
    expect(lines(result)).toEqual([
      "unblock Sales > Sales/APAC, Sales/EMEA",
      "create Sales/APAC/Tokyo",
      "create Sales/EMEA/Paris",
      "block Sales > Sales/APAC, Sales/EMEA, Sales/APAC/Tokyo, Sales/EMEA/Paris"
    ])
  })

  it("unblocks a parent that will be deactivated only for the create", () => {
    const remote = tenant(r("Sales", { status: "blocked" }))
    const result = plan(remote, [d("Sales", { status: "deactivated" }, d("EMEA"))])
    expect(lines(result)).toEqual(["unblock Sales", "create Sales/EMEA", "deactivate Sales > Sales/EMEA"])
  })

  it("creates under a parent that is unblocked or reactivated anyway", () => {
    const remote = tenant(r("Sales", { status: "blocked" }), r("Support", { status: "deactivated" }))
    const result = plan(remote, [d("Sales", {}, d("EMEA")), d("Support", {}, d("Tier1"))])
    expect(lines(result)).toEqual([
      "reactivate Support",
      "unblock Sales",
      "create Sales/EMEA",
      "create Support/Tier1"
    ])
  })

  it("plans nothing under a parent that stays deactivated: one conflict for the subtree", () => {
    const remote = tenant(r("Sales", { status: "deactivated" }))
    const result = plan(remote, [d("Sales", { status: "deactivated" }, d("EMEA", {}, d("Paris")))])
    expect(lines(result)).toEqual([])
    expect(conflictLines(result)).toEqual(["parent-deactivated Sales/EMEA"])
  })

  it("does not change a blocked managed root to create or unblock under it, and names it", () => {
    const remote = tenant(r("Region", { status: "blocked" }, r("Sales", { status: "blocked" })))
    const result = plan(remote, [d("Sales", {}), d("Support")], { root: uid("Region") })
    // Code42 refuses to unblock an org under a blocked one (PARENT_ORG_IS_BLOCKED).
    expect(lines(result)).toEqual([])
    expect(conflictLines(result)).toEqual(["parent-blocked Sales", "parent-blocked Support"])
    for (const conflict of result.conflicts) {
      expect(conflict.message).toContain(`the managed root Region (${uid("Region")}) is blocked`.slice(4))
    }
  })

  it("does not reactivate or create under a deactivated managed root", () => {
    const remote = tenant(r("Region", { status: "deactivated" }, r("Sales", { status: "deactivated" }, r("EMEA", {
      status: "deactivated"
    }))))
    const result = plan(remote, [d("Sales", {}, d("EMEA"), d("APAC")), d("Support")], { root: uid("Region") })
    expect(lines(result)).toEqual([])
    expect(conflictLines(result)).toEqual(["parent-deactivated Sales", "parent-deactivated Support"])
  })

  it("does not unblock and block again a protected parent to create under it", () => {
    const remote = tenant(r("Sales", { status: "blocked" }))
    const result = plan(remote, [d("Sales", { status: "blocked", protect: true }, d("EMEA"))])
    expect(lines(result)).toEqual([])
    expect(result.conflicts).toEqual([{
      kind: "protected",
      path: "Sales/EMEA",
      message: expect.stringContaining("a protected org"),
      orgUids: [uid("Sales")]
    }])
  })

  it("stops the unblock below a protected ancestor", () => {
    const remote = tenant(
      r("Sales", { status: "blocked" }, r("EMEA", { status: "blocked" }), r("Admins", { status: "blocked" }))
    )
    const result = plan(remote, [d("Sales", { status: "blocked" }, d("EMEA", {}, d("Paris")), d("Admins", {
      protect: true
    }))])
    expect(lines(result)).toEqual([
      "unblock Sales/EMEA",
      "create Sales/EMEA/Paris",
      "block Sales/EMEA > Sales/EMEA/Paris"
    ])
    expect(result.conflicts).toEqual([])
  })
})

describe("Plan.make: updates", () => {
  it("updates only the fields that differ, and extRef/notes only where the file manages them", () => {
    const remote = tenant(
      r("Sales", { extRef: "OLD", notes: "kept" }),
      r("Support", { extRef: "S", notes: "" }),
      r("Legal", { extRef: "L" })
    )
    const result = plan(remote, [
      d("Sales", { extRef: "NEW" }),
      d("Support", { extRef: "S", notes: null }),
      d("Legal", { extRef: null, notes: "Contracts" })
    ])
    expect(result.changes.map((c) => [c.action, c.path, c.before, c.after])).toEqual([
      ["update", "Legal", { extRef: "L", notes: null }, { extRef: null, notes: "Contracts" }],
      ["update", "Sales", { extRef: "OLD" }, { extRef: "NEW" }]
    ])
  })

  it("renames by `previously`", () => {
    const remote = tenant(r("Vendors", {}, r("EU"), r("Old")))
    const result = plan(remote, [d("Contractors", { previously: ["Vendors"] }, d("EU"))])
    expect(result.changes).toEqual([{
      action: "update",
      path: "Contractors",
      orgUid: uid("Vendors"),
      orgId: remoteOrg(remote, "Vendors").orgId,
      parentPath: "",
      parentOrgUid: uid(""),
      before: { name: "Vendors" },
      after: { name: "Contractors" },
      cascadesTo: [],
      cause: "desired"
    }])
    expect(result.resolved).toEqual([
      { path: "Contractors", orgUid: uid("Vendors") },
      { path: "Contractors/EU", orgUid: uid("Vendors/EU") }
    ])
    // An unmanaged org is named under its parent's desired path.
    expect(result.unmanaged.map((u) => u.path)).toEqual(["Contractors/Old"])
  })

  it("follows the identity mapping through a parent renamed by `previously`", () => {
    const remote = tenant(r("Vendors", {}, r("Europe", { uid: "u-eu" })))
    const result = plan(remote, [d("Contractors", { previously: ["Vendors"] }, d("EU", { previously: ["Europe"] }))], {
      identities: [applied("Vendors"), applied("Vendors/Europe", {}, "u-eu")]
    })
    expect(lines(result)).toEqual(["update Contractors", "update Contractors/EU"])
    expect(result.resolved.map((x) => x.orgUid)).toEqual([uid("Vendors"), "u-eu"])
  })

  it("finds an org renamed by hand through the identity mapping, and heals it as drift", () => {
    const remote = tenant(r("Revenue", { uid: "u-sales" }), r("Sales"))
    const result = plan(remote, [d("Sales")], { identities: [applied("Sales", {}, "u-sales")] })
    expect(lines(result)).toEqual(["update Sales (drift)"])
    expect(result.changes[0]).toMatchObject({
      orgUid: "u-sales",
      before: { name: "Revenue" },
      after: { name: "Sales" }
    })
    expect(result.unmanaged.map((u) => u.orgUid)).toEqual([uid("Sales")])
  })

  it("ignores a stale identity (the org is gone) and matches by name", () => {
    const remote = tenant(r("Sales"))
    const result = plan(remote, [d("Sales")], { identities: [applied("Sales", {}, "gone")] })
    expect(lines(result)).toEqual([])
    expect(result.resolved).toEqual([{ path: "Sales", orgUid: uid("Sales") }])
  })
})

describe("Plan.make: identity", () => {
  it("adopts a pinned org and renames it", () => {
    const remote = tenant(r("Revenue"), r("Sales"))
    const result = plan(remote, [d("Sales", { uid: uid("Revenue") })])
    expect(result.changes.map((c) => [c.action, c.orgUid, c.after])).toEqual([
      ["update", uid("Revenue"), { name: "Sales" }]
    ])
    expect(result.unmanaged.map((u) => u.orgUid)).toEqual([uid("Sales")])
  })

  it("never matches by name an org that another desired org pins", () => {
    const remote = tenant(r("Sales"))
    const result = plan(remote, [d("Sales"), d("Revenue", { uid: uid("Sales") })])
    expect(lines(result)).toEqual(["create Sales", "update Revenue"])
  })

  it("prefers the identity mapping to a name match", () => {
    const remote = tenant(r("Sales", { uid: "u-a", status: "deactivated" }), r("Sales", { uid: "u-b" }))
    const result = plan(remote, [d("Sales")], { identities: [applied("Sales", {}, "u-b")] })
    expect(result.conflicts).toEqual([])
    expect(result.resolved).toEqual([{ path: "Sales", orgUid: "u-b" }])
    expect(result.unmanaged.map((u) => u.orgUid)).toEqual(["u-a"])
  })

  it("knows a deactivated org renamed by Code42 (`<name> deactivated <date>`) and never renames it back", () => {
    const renamed = "Interns deactivated 2026-11-29T10:00:00.000Z"
    const remote = tenant(r(renamed, { uid: "u-interns", status: "deactivated" }), r("Sales"))
    const kept = plan(remote, [d("Interns", { status: "deactivated" }), d("Sales")])
    expect(lines(kept)).toEqual([])
    expect(kept.resolved).toContainEqual({ path: "Interns", orgUid: "u-interns" })
    const mapped = plan(remote, [d("Interns", { status: "deactivated" }), d("Sales")], {
      identities: [applied("Interns", { status: "deactivated" }, "u-interns")]
    })
    expect(lines(mapped)).toEqual([])
    // Reactivated, it gets its name back.
    expect(lines(plan(remote, [d("Interns"), d("Sales")]))).toEqual(["reactivate Interns", "update Interns"])
  })

  it("reports an active twin of a mapped org as a duplicate and never prunes, blocks or deactivates either", () => {
    const remote = tenant(
      r("Sales", { uid: "u-a" }, r("EMEA", { uid: "u-a-emea" })),
      r("Sales", { uid: "u-b" }),
      r("Legacy")
    )
    const result = plan(remote, [d("Sales", { status: "blocked" }, d("EMEA"), d("APAC"))], {
      identities: [applied("Sales", {}, "u-b")],
      prune: "deactivate"
    })
    expect(result.conflicts).toEqual([{
      kind: "duplicate",
      path: "Sales",
      message: "2 active Code42 orgs named \"Sales\" under the managed root where one is expected (another writer " +
        "may have made the twin): none of them is pruned, blocked or deactivated. Deactivate or rename the extra " +
        "one in Code42, or pin one with `uid`.",
      orgUids: ["u-a", "u-b"]
    }])
    expect(lines(result)).toEqual(["deactivate Legacy"])
  })

  it("reports two candidates as ambiguous and leaves the org and its subtree alone", () => {
    const remote = tenant(
      r("Sales", { uid: "u-b" }, r("EMEA", { uid: "u-b-emea" })),
      r("Sales", { uid: "u-a", status: "blocked" }),
      r("Legacy")
    )
    const result = plan(remote, [d("Sales", {}, d("EMEA", { status: "blocked" }), d("APAC"))], { prune: "deactivate" })
    expect(result.conflicts).toEqual([{
      kind: "ambiguous",
      path: "Sales",
      message: expect.stringContaining("pin one with `uid`"),
      orgUids: ["u-a", "u-b"]
    }])
    // Neither candidate nor what is under them is unmanaged, so prune leaves them too.
    expect(lines(result)).toEqual(["deactivate Legacy"])
    expect(result.unmanaged.map((u) => u.path)).toEqual(["Legacy"])
    expect(result.resolved).toEqual([])
  })

  it("counts a `previously` name as a candidate too", () => {
    const remote = tenant(r("Vendors"), r("Contractors"))
    const result = plan(remote, [d("Contractors", { previously: ["Vendors"] })])
    expect(conflictLines(result)).toEqual(["ambiguous Contractors"])
    expect(result.conflicts[0]!.orgUids).toEqual([uid("Contractors"), uid("Vendors")])
  })

  it("gives a pinned org to the first desired org that pins it", () => {
    const result = plan(tenant(r("Sales")), [d("Sales", { uid: uid("Sales") }), d("Revenue", { uid: uid("Sales") })])
    expect(result.conflicts).toEqual([{
      kind: "ambiguous",
      path: "Revenue",
      message: `Code42 org ${uid("Sales")} is already Sales.`,
      orgUids: [uid("Sales")]
    }])
    expect(result.resolved).toEqual([{ path: "Sales", orgUid: uid("Sales") }])
  })

  it("reports a pin that is not in Code42", () => {
    const result = plan(tenant(r("Sales")), [d("Sales"), d("Support", { uid: "404" }, d("Tier1"))])
    expect(result.conflicts).toEqual([{
      kind: "pin-missing",
      path: "Support",
      message: "The pinned org 404 is not in Code42.",
      orgUids: ["404"]
    }])
    expect(lines(result)).toEqual([])
  })

  it("reports a pin outside the managed root, the root itself included", () => {
    const remote = tenant(r("Region", {}, r("Sales")), r("Elsewhere"))
    const wanted = [d("Sales"), d("Other", { uid: uid("Elsewhere") }), d("Self", { uid: uid("Region") })]
    const result = plan(remote, wanted, { root: uid("Region") })
    expect(conflictLines(result)).toEqual(["pin-outside-root Other", "pin-outside-root Self"])
    expect(lines(result)).toEqual([])
  })

  it("reports an org whose parent differs (the API cannot move) and neither moves nor prunes it", () => {
    const remote = tenant(r("Eng", {}, r("Platform"), r("Old")), r("Sales"))
    const result = plan(remote, [d("Sales", {}, d("Platform", { uid: uid("Eng/Platform") }, d("Tools")))], {
      prune: "deactivate"
    })
    expect(result.conflicts).toEqual([{
      kind: "parent-differs",
      path: "Sales/Platform",
      message: expect.stringContaining("cannot move"),
      orgUids: [uid("Eng/Platform")]
    }])
    // Deactivating Eng would reach Platform: prune deactivates Eng's other unmanaged orgs one by one.
    expect(lines(result)).toEqual(["deactivate Eng/Old"])
    expect(result.unmanaged.map((u) => [u.path, u.action])).toEqual([["Eng", "report"], ["Eng/Old", "deactivate"]])
  })

  it("reports a mapped org whose parent differs", () => {
    const remote = tenant(r("Eng", {}, r("Platform")), r("Sales"))
    const result = plan(remote, [d("Eng"), d("Sales", {}, d("Platform"))], {
      identities: [applied("Sales/Platform", {}, uid("Eng/Platform"))]
    })
    expect(conflictLines(result)).toEqual(["parent-differs Sales/Platform"])
    expect(result.unmanaged).toEqual([])
  })
})

describe("Plan.make: unmanaged orgs and prune", () => {
  const remote = tenant(
    r("Sales", {}, r("Legacy", {}, r("Archive"))),
    r("Old", { status: "blocked" }, r("Older")),
    r("Gone", { status: "deactivated" })
  )

  it("reports unmanaged orgs, top-down, without changes", () => {
    const result = plan(remote, [d("Sales")])
    expect(lines(result)).toEqual([])
    expect(result.unmanaged).toEqual([
      { path: "Gone", orgUid: uid("Gone"), orgName: "Gone", status: "deactivated", action: "report" },
      { path: "Old", orgUid: uid("Old"), orgName: "Old", status: "blocked", action: "report" },
      { path: "Old/Older", orgUid: uid("Old/Older"), orgName: "Older", status: "active", action: "report" },
      { path: "Sales/Legacy", orgUid: uid("Sales/Legacy"), orgName: "Legacy", status: "active", action: "report" },
      {
        path: "Sales/Legacy/Archive",
        orgUid: uid("Sales/Legacy/Archive"),
        orgName: "Archive",
        status: "active",
        action: "report"
      }
    ])
  })

  it("deactivates the topmost active unmanaged orgs with prune: deactivate", () => {
    const result = plan(remote, [d("Sales")], { prune: "deactivate" })
    expect(lines(result)).toEqual(["deactivate Old > Old/Older", "deactivate Sales/Legacy > Sales/Legacy/Archive"])
    expect(result.changes.every((c) => c.cause === "desired")).toBe(true)
    expect(result.unmanaged.map((u) => [u.path, u.action])).toEqual([
      ["Gone", "report"],
      ["Old", "deactivate"],
      ["Old/Older", "deactivate"],
      ["Sales/Legacy", "deactivate"],
      ["Sales/Legacy/Archive", "deactivate"]
    ])
  })

  it("prunes around the signed-in user's org", () => {
    const result = plan(remote, [d("Sales")], { prune: "deactivate", currentOrgUid: uid("Sales/Legacy") })
    expect(lines(result)).toEqual(["deactivate Old > Old/Older", "deactivate Sales/Legacy/Archive"])
    expect(result.conflicts).toEqual([{
      kind: "signed-in-org",
      path: "Sales/Legacy",
      message: expect.stringContaining("the signed-in user's org"),
      orgUids: [uid("Sales/Legacy")]
    }])
  })

  it("leaves the unmanaged ancestors of the signed-in user's org active", () => {
    const result = plan(remote, [d("Sales")], { prune: "deactivate", currentOrgUid: uid("Sales/Legacy/Archive") })
    expect(lines(result)).toEqual(["deactivate Old > Old/Older"])
    expect(conflictLines(result)).toEqual(["signed-in-org Sales/Legacy/Archive"])
  })
})

describe("Plan.make: safety", () => {
  const twelve = tenant(...Array.from({ length: 12 }, (_, i) => r(`Org${String(i).padStart(2, "0")}`)))
  const wanting = (blocked: number) =>
    Array.from({ length: 12 }, (_, i) =>
      d(`Org${String(i).padStart(2, "0")}`, { status: i < blocked ? "blocked" : "active" })
    )

  it("allows blocks and deactivations of exactly 25% of the managed orgs", () => {
    const result = plan(twelve, wanting(3))
    expect(result.managedCount).toBe(12)
    expect(result.changes).toHaveLength(3)
    expect(result.refusal).toBeUndefined()
  })

  it("refuses above 25% and still lists the changes", () => {
    const result = plan(twelve, wanting(4))
    expect(result.refusal?.reason).toBe("threshold")
    expect(result.refusal?.message).toContain("4 of 12")
    expect(lines(result)).toEqual(["block Org00", "block Org01", "block Org02", "block Org03"])
  })

  it("goes above 25% with force", () => {
    expect(plan(twelve, wanting(12), { force: true }).refusal).toBeUndefined()
  })

  it("counts the descendants a cascade reaches", () => {
    const remote = tenant(r("Sales", {}, r("A"), r("B"), r("C")), ...Array.from({ length: 8 }, (_, i) => r(`Org${i}`)))
    const result = plan(remote, [
      d("Sales", { status: "blocked" }, d("A"), d("B"), d("C")),
      ...Array.from({ length: 8 }, (_, i) => d(`Org${i}`))
    ])
    expect(result.managedCount).toBe(12)
    expect(result.changes).toHaveLength(1)
    expect(result.refusal?.reason).toBe("threshold")
  })

  it("does not count orgs that are already blocked or that the plan creates", () => {
    const remote = tenant(
      r("Sales", { status: "blocked" }, r("A", { status: "blocked" }), r("B", { status: "blocked" })),
      ...Array.from({ length: 9 }, (_, i) => r(`Org${i}`))
    )
    const result = plan(remote, [
      d("Sales", { status: "blocked" }, d("A"), d("B"), d("New1"), d("New2"), d("New3")),
      ...Array.from({ length: 9 }, (_, i) => d(`Org${i}`))
    ])
    expect(result.changes.filter((c) => c.action === "block")).toHaveLength(1)
    expect(result.refusal).toBeUndefined()
  })

  it("has no threshold under 10 managed orgs", () => {
    const remote = tenant(...Array.from({ length: 9 }, (_, i) => r(`Org${i}`)))
    const result = plan(remote, Array.from({ length: 9 }, (_, i) => d(`Org${i}`, { status: "deactivated" })))
    expect(result.changes).toHaveLength(9)
    expect(result.refusal).toBeUndefined()
  })

  it("refuses an empty desired tree over a non-empty remote one, without changes, even with prune", () => {
    const result = plan(tenant(r("Sales")), [], { prune: "deactivate", force: true })
    expect(result.refusal?.reason).toBe("empty-desired")
    expect(result.changes).toEqual([])
    expect(result.unmanaged.map((u) => [u.path, u.action])).toEqual([["Sales", "report"]])
  })

  it("plans nothing for an empty desired tree over an empty remote one", () => {
    const result = plan(tenant(), [])
    expect(result).toEqual({
      changes: [],
      conflicts: [],
      unmanaged: [],
      refusal: undefined,
      resolved: [],
      rootOrgUid: uid(""),
      managedCount: 0,
      restricted: 0
    })
  })

  it("refuses when the managed root is not in Code42", () => {
    const result = plan(tenant(r("Sales")), [d("Sales", { status: "blocked" })], { root: "404" })
    expect(result.refusal?.reason).toBe("root-missing")
    expect(result.changes).toEqual([])
    expect(plan([], [d("Sales")]).refusal?.reason).toBe("root-missing")
  })

  it("only touches orgs under the managed root", () => {
    const remote = tenant(r("Region", {}, r("Sales")), r("Elsewhere"))
    const result = plan(remote, [d("Sales", { status: "blocked" })], { root: uid("Region"), prune: "deactivate" })
    expect(lines(result)).toEqual(["block Sales"])
    expect(result.rootOrgUid).toBe(uid("Region"))
    expect(result.managedCount).toBe(1)
  })

  it("never blocks the signed-in user's org, neither directly nor by a cascade", () => {
    const remote = tenant(r("Sales", {}, r("EMEA"), r("APAC", {}, r("Tokyo"))))
    const result = plan(remote, [d("Sales", { status: "blocked" }, d("EMEA"), d("APAC", {}, d("Tokyo")))], {
      currentOrgUid: uid("Sales/APAC")
    })
    expect(lines(result)).toEqual(["block Sales/EMEA", "block Sales/APAC/Tokyo"])
    expect(result.conflicts).toEqual([
      {
        kind: "signed-in-org",
        path: "Sales",
        message: "Blocking Sales would reach Sales/APAC, the signed-in user's org.",
        orgUids: [uid("Sales/APAC")]
      },
      {
        kind: "signed-in-org",
        path: "Sales/APAC",
        message: "Sales/APAC must be blocked but is the signed-in user's org.",
        orgUids: [uid("Sales/APAC")]
      }
    ])
  })

  it("never blocks or deactivates a protected org, neither directly nor by a cascade", () => {
    const remote = tenant(r("Sales", {}, r("EMEA"), r("APAC")))
    const result = plan(remote, [d("Sales", { status: "deactivated" }, d("EMEA", { protect: true }), d("APAC"))])
    expect(lines(result)).toEqual(["deactivate Sales/APAC"])
    expect(conflictLines(result)).toEqual(["protected Sales", "protected Sales/EMEA"])
  })

  it("lets a protected org be unblocked, and one already blocked stay so", () => {
    const remote = tenant(r("Sales", { status: "blocked" }), r("Legal", { status: "blocked" }))
    const result = plan(remote, [d("Sales", { protect: true }), d("Legal", { protect: true, status: "blocked" })])
    expect(lines(result)).toEqual(["unblock Sales"])
    expect(result.conflicts).toEqual([])
  })

  it("may block the orgs under a managed root that is the signed-in user's org", () => {
    const remote = tenant(r("Region", {}, r("Sales")))
    const result = plan(remote, [d("Sales", { status: "blocked" })], {
      root: uid("Region"),
      currentOrgUid: uid("Region")
    })
    expect(lines(result)).toEqual(["block Sales"])
    expect(result.conflicts).toEqual([])
  })
})

describe("Plan.make: cause", () => {
  const remote = tenant(r("Sales", { status: "blocked", notes: "by hand" }))

  it("is drift when the file asked for the same value when the org last converged", () => {
    const result = plan(remote, [d("Sales", { notes: "Revenue" })], {
      identities: [applied("Sales", { notes: "Revenue", status: "active" })]
    })
    expect(lines(result)).toEqual(["unblock Sales (drift)", "update Sales (drift)"])
  })

  it("is desired when the file changed, or without an identity", () => {
    const changedFile = plan(remote, [d("Sales", { notes: "Revenue" })], {
      identities: [applied("Sales", { notes: "Old", status: "blocked" })]
    })
    expect(lines(changedFile)).toEqual(["unblock Sales", "update Sales"])
    expect(lines(plan(remote, [d("Sales", { notes: "Revenue" })]))).toEqual(["unblock Sales", "update Sales"])
  })

  it("is desired for an update when any of its fields changed in the file", () => {
    const remote = tenant(r("Sales", { extRef: "X", notes: "by hand" }))
    const result = plan(remote, [d("Sales", { extRef: "Y", notes: "N" })], {
      identities: [applied("Sales", { extRef: "X", notes: "N" })]
    })
    expect(lines(result)).toEqual(["update Sales"])
  })

  it("is desired for the block that follows an unblock made for a create", () => {
    const result = plan(remote, [d("Sales", { status: "blocked", notes: "by hand" }, d("EMEA"))], {
      identities: [applied("Sales", { status: "blocked", notes: "by hand" })]
    })
    expect(lines(result)).toEqual(["unblock Sales", "create Sales/EMEA", "block Sales > Sales/EMEA"])
  })

  it("is drift for a status a cascade made by hand changed", () => {
    const blockedByHand = tenant(r("Sales", { status: "blocked" }, r("EMEA", { status: "blocked" })))
    const result = plan(blockedByHand, [d("Sales", {}, d("EMEA"))], {
      identities: [applied("Sales"), applied("Sales/EMEA")]
    })
    expect(lines(result)).toEqual(["unblock Sales > Sales/EMEA (drift)"])
  })
})

describe("Plan.make: order", () => {
  it("orders by phase, then top-down, then path", () => {
    const remote = tenant(
      r("B", { status: "deactivated" }, r("B1", { status: "deactivated" })),
      r("A", { status: "deactivated" }),
      r("D", { status: "blocked" }, r("D1", { status: "blocked" })),
      r("C", { notes: "x" }, r("C2", { notes: "x" }), r("C1")),
      r("E")
    )
    const result = plan(remote, [
      d("E", { status: "deactivated" }),
      d("D", {}, d("D1"), d("D0", {}, d("D00"))),
      d("C", { notes: "y", status: "blocked" }, d("C2", { notes: "y" }), d("C1")),
      d("B", {}, d("B1", {}, d("B10"))),
      d("A", { status: "blocked" }, d("A0"))
    ])
    expect(lines(result)).toEqual([
      "reactivate A",
      "reactivate B",
      "reactivate B/B1",
      "unblock D > D/D1",
      "create A/A0",
      "create D/D0",
      "create B/B1/B10",
      "create D/D0/D00",
      "update C",
      "update C/C2",
      "block A > A/A0",
      "block C > C/C1, C/C2",
      "deactivate E"
    ])
  })

  it("gives the same plan whatever the order of the remote list", () => {
    const remote = tenant(
      r("Sales", {}, r("EMEA"), r("APAC"), r("Legacy", {}, r("Old"))),
      r("Sales", { uid: "dup" }),
      r("Support", { status: "deactivated" })
    )
    const desiredOrgs = [d("Support", {}, d("Tier1")), d("Other", {}, d("X", { status: "blocked" }))]
    const forward = plan(remote, desiredOrgs, { prune: "deactivate" })
    const backward = plan([...remote].reverse(), desiredOrgs, { prune: "deactivate" })
    expect(backward).toEqual(forward)
    expect(forward.changes.length).toBeGreaterThan(3)
  })
})
