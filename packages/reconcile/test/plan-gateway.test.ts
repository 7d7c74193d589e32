/**
 * Plans on a family that cannot block (the gateway): a desired `status: blocked` is an `unsupported` conflict
 * and never a block or unblock; everything else converges as on the other families, by guid.
 */
import { GatewayClient } from "@c42/core"
import { describe, expect, it } from "@effect/vitest"
import type { Status } from "../src/Desired.js"
import * as OrgApi from "../src/OrgApi.js"
import type * as Plan from "../src/Plan.js"
import { conflictLines, d, type DesiredSpec, lines, plan, r, type RemoteSpec, tenant, uid } from "./plan-fixtures.js"

/** The tenant as the gateway lists it: guids (the fixtures' uids) and parent guids, no orgId, no blocked flag. */
const gatewayTenant = (...children: ReadonlyArray<RemoteSpec>) =>
  tenant(...children).map((org) =>
    OrgApi.fromGatewayOrg(
      new GatewayClient.GatewayOrg({
        orgGuid: org.orgUid,
        orgName: org.orgName,
        orgExtRef: org.orgExtRef,
        notes: org.notes,
        parentOrgGuid: org.parentOrgUid ?? null,
        active: org.active
      })
    )
  )

const gateway = { canBlock: false }

const unsupported = (result: Plan.Plan) => result.conflicts.filter((conflict) => conflict.kind === "unsupported")

describe("Plan.make on a family that cannot block", () => {
  const expected: Record<"active" | "deactivated", Record<Status, ReadonlyArray<string>>> = {
    active: { active: [], blocked: [], deactivated: ["deactivate Alpha"] },
    deactivated: { active: ["reactivate Alpha"], blocked: [], deactivated: [] }
  }
  for (const remote of ["active", "deactivated"] as const) {
    for (const want of ["active", "blocked", "deactivated"] as const) {
      it(`${remote} -> ${want}: ${expected[remote][want].join(", ") || "nothing"}`, () => {
        const result = plan(gatewayTenant(r("Alpha", { status: remote })), [d("Alpha", { status: want })], gateway)
        expect(lines(result)).toEqual(expected[remote][want])
        expect(conflictLines(result)).toEqual(want === "blocked" ? ["unsupported Alpha"] : [])
      })
    }
  }

  it("says why and what to do: the family cannot block, api: v3 can; the org keeps its status", () => {
    const [conflict] = plan(gatewayTenant(r("Alpha", { status: "deactivated" })), [d("Alpha", { status: "blocked" })], gateway)
      .conflicts
    expect(conflict).toEqual({
      kind: "unsupported",
      path: "Alpha",
      message: "Alpha must be blocked, but the gateway API family cannot block or unblock orgs; use `api: v3` to " +
        "block it; it stays deactivated in Code42.",
      orgUids: [uid("Alpha")]
    })
  })

  it("a missing org the files want blocked is not created, nor anything below it: one conflict for the subtree", () => {
    const result = plan(gatewayTenant(r("Sales")), [
      d("Sales"),
      d("Ops", { status: "blocked" }, d("Night"), d("Old", { status: "deactivated" }), d("Late", { status: "blocked" }))
    ], gateway)
    expect(lines(result)).toEqual([])
    expect(conflictLines(result)).toEqual(["unsupported Ops"])
    expect(result.conflicts[0]!.message).toContain("it is not created, since it would be active")
    expect(result.conflicts[0]!.message).toContain("3 orgs below it are not created either: Ops/Night, Ops/Old, Ops/Late")
    expect(result.conflicts[0]!.orgUids).toEqual([])
  })

  it("an org the files want blocked keeps its status; its fields are updated and the deactivations below it happen", () => {
    const result = plan(
      gatewayTenant(r("Ops", { extRef: "O-0" }, r("Night"), r("Old"))),
      [d("Ops", { status: "blocked", extRef: "O-1" }, d("Night"), d("Old", { status: "deactivated" }), d("New"))],
      gateway
    )
    expect(lines(result)).toEqual(["update Ops", "deactivate Ops/Old"])
    expect(conflictLines(result)).toEqual(["unsupported Ops"])
    // The org below it that does not exist yet would be created active under it: it is named, not dropped.
    expect(result.conflicts[0]!.message).toMatch(/; 1 org below it is not created either: Ops\/New\.$/)
  })

  it("a blocked org that must be active is a conflict, not an unblock", () => {
    // A snapshot that still says blocked (read through v3 before the switch), planned for the gateway.
    const result = plan(tenant(r("Alpha", { status: "blocked" })), [d("Alpha")], gateway)
    expect(lines(result)).toEqual([])
    expect(unsupported(result)).toMatchObject([{ path: "Alpha", orgUids: [uid("Alpha")] }])
    expect(result.conflicts[0]!.message).toContain("is blocked in Code42 and must be active")
  })

  it("a create under a blocked parent is a conflict, not an unblock and a block again", () => {
    const result = plan(
      tenant(r("Sales", { status: "blocked" })),
      [d("Sales", { status: "blocked" }, d("EMEA", { status: "deactivated" }))],
      gateway
    )
    expect(lines(result)).toEqual([])
    expect(conflictLines(result)).toEqual(["unsupported Sales", "unsupported Sales/EMEA"])
    expect(result.conflicts[1]!.message).toContain("Creating under Sales needs it unblocked")
  })

  it("identities are guids: changes name the org and its parent by guid, never by an id", () => {
    const remote = gatewayTenant(r("Engineering", {}, r("Platform")))
    expect(remote.every((org) => org.orgId === undefined)).toBe(true)
    const result = plan(remote, [d("Engineering", { notes: "N" }, d("Platform"), d("Data"))], gateway)
    expect(result.changes.map((c) => [c.action, c.path, c.orgUid, c.orgId, c.parentOrgUid])).toEqual([
      ["create", "Engineering/Data", null, null, uid("Engineering")],
      ["update", "Engineering", uid("Engineering"), null, uid("")]
    ])
  })

  it("the managed root is a guid", () => {
    const remote = gatewayTenant(r("Engineering", {}, r("Platform")), r("Sales"))
    const result = plan(remote, [d("Platform"), d("Data")], { ...gateway, root: uid("Engineering") })
    expect(result.rootOrgUid).toBe(uid("Engineering"))
    expect(lines(result)).toEqual(["create Data"])
    expect(result.unmanaged).toEqual([])
  })

  describe("never a block or unblock, whatever the trees", () => {
    const remoteStates: ReadonlyArray<RemoteSpec["status"] | "missing"> = ["missing", "active", "blocked", "deactivated"]
    const desiredStates: ReadonlyArray<Status | "absent"> = ["absent", "active", "blocked", "deactivated"]
    const allowedBelow = (parent: Status, child: Status) =>
      parent === "active" || child === "deactivated" || (parent === "blocked" && child === "blocked")
    it("over every status of a parent and a child, present or missing, listed by either family", () => {
      let cases = 0
      for (const parentRemote of remoteStates.filter((s) => s !== "missing")) {
        for (const childRemote of remoteStates) {
          for (const parentWant of desiredStates.filter((s) => s !== "absent") as ReadonlyArray<Status>) {
            for (const childWant of desiredStates) {
              if (childWant !== "absent" && !allowedBelow(parentWant, childWant)) continue
              const child = childRemote === "missing" ? [] : [r("Child", { status: childRemote })]
              const want: DesiredSpec = d(
                "Parent",
                { status: parentWant },
                ...(childWant === "absent" ? [] : [d("Child", { status: childWant })])
              )
              for (const remote of [tenant(r("Parent", { status: parentRemote }, ...child)), gatewayTenant(r("Parent", { status: parentRemote }, ...child))]) {
                for (const prune of ["report", "deactivate"] as const) {
                  const result = plan(remote, [want], { ...gateway, prune, force: true })
                  cases++
                  expect(result.changes.filter((c) => c.action === "block" || c.action === "unblock")).toEqual([])
                  if (parentWant === "blocked") expect(conflictLines(result)).toContain("unsupported Parent")
                }
              }
            }
          }
        }
      }
      expect(cases).toBeGreaterThan(200)
    })
  })
})
