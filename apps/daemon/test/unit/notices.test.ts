import { describe, expect, it } from "@effect/vitest"
import { DriftReport, Policy } from "@c42/reconcile"
import type * as GitSync from "../../src/GitSync.js"
import * as Notices from "../../src/Notices.js"
import { change } from "../support/daemon-fixtures.js"

const at = new Date("2026-01-01T10:00:00.000Z")
const drift = DriftReport.details([
  change("Sales", { action: "update", orgUid: "u/s", orgId: 2, before: { extRef: "X-9" }, after: { extRef: "S-0" }, cause: "drift" })
], at)
const deactivate = change("Legal", {
  action: "deactivate",
  orgUid: "u/l",
  orgId: 3,
  before: { status: "active" },
  after: { status: "deactivated" },
  cascadesTo: ["Legal/Contracts"]
})
const { kept } = Policy.gate([deactivate], { destructive: "confirm", drift: "heal" })
const quiet: Notices.Facts = { drift: [], kept: [], refusal: undefined, failures: [], contested: [] }

const events = (result: { readonly notices: ReadonlyArray<{ readonly event: string }> }) => result.notices.map((n) => n.event)

describe("Notices.after", () => {
  it("tells drift and held changes once, while they stay as they are", () => {
    const first = Notices.after(Notices.nothingSeen, { ...quiet, drift, kept }, "orgsync (acme)")
    expect(events(first)).toEqual(["drift", "held"])
    expect(first.notices[0]!.text).toBe(
      "orgsync (acme): drift found, 1 field changed in Code42 by hand:\n• Sales: extRef is \"X-9\", orgsync applied \"S-0\""
    )
    expect(first.notices[0]!.details).toEqual({
      drift: [{ path: "Sales", orgUid: "u/s", field: "extRef", applied: "S-0", current: "X-9", seenAt: at.toISOString() }]
    })
    expect(first.notices[1]!.text).toContain(`deactivate Legal (reaches 2 orgs) awaits approval: orgsync approve ${kept[0]!.id}`)
    expect(first.notices[1]!.details).toEqual({
      held: [{
        id: kept[0]!.id,
        action: "deactivate",
        path: "Legal",
        orgUid: "u/l",
        reach: 2,
        checksum: kept[0]!.checksum,
        reason: "awaiting-approval"
      }]
    })
    const again = Notices.after(first.seen, { ...quiet, drift, kept }, "orgsync (acme)")
    expect(events(again)).toEqual([])
  })

  it("tells a refusal, failed writes and contested orgs, then the recovery once they are gone", () => {
    const troubled: Notices.Facts = {
      ...quiet,
      refusal: { reason: "threshold", message: "The plan blocks 5 of 10 managed orgs" },
      failures: ["block Legal: refused"],
      contested: [{ path: "Sales", message: "changed back twice", orgUids: ["u/s"] }]
    }
    const first = Notices.after(Notices.nothingSeen, troubled, "orgsync")
    expect(events(first)).toEqual(["refused", "failed", "contested"])
    expect(first.notices[1]!.text).toBe("orgsync: 1 write failed:\n• block Legal: refused")
    expect(events(Notices.after(first.seen, troubled, "orgsync"))).toEqual([])
    const recovered = Notices.after(first.seen, quiet, "orgsync")
    expect(events(recovered)).toEqual(["recovered"])
    expect(events(Notices.after(recovered.seen, quiet, "orgsync"))).toEqual([])
  })

  it("a pass that could not run is a failure, and its end a recovery", () => {
    const failed = Notices.after(Notices.nothingSeen, { ...quiet, error: "cannot read Code42: refused" }, "orgsync")
    expect(failed.notices).toEqual([{
      event: "failed",
      text: "orgsync: the pass could not run: cannot read Code42: refused",
      details: { error: "cannot read Code42: refused" }
    }])
    expect(events(Notices.after(failed.seen, quiet, "orgsync"))).toEqual(["recovered"])
  })

  it("drift of a field orgsync never wrote says so, with no value orgsync applied", () => {
    const { applied: _, ...found } = drift[0]!
    const told = Notices.after(Notices.nothingSeen, { ...quiet, drift: [found] }, "orgsync")
    expect(told.notices[0]!.text).toBe(
      "orgsync: drift found, 1 field changed in Code42 by hand:\n• Sales: extRef is \"X-9\", never applied by orgsync"
    )
    expect(told.notices[0]!.details).toEqual({
      drift: [{ path: "Sales", orgUid: "u/s", field: "extRef", current: "X-9", seenAt: at.toISOString() }]
    })
  })

  it("escapes &, < and > in the text, as Slack's formatting asks, and leaves the details as they are", () => {
    const hostile = "<!channel> <https://evil|Approve here> & <img src=x onerror=alert(1)>"
    const told = Notices.after(Notices.nothingSeen, {
      ...quiet,
      contested: [{ path: hostile, message: "changed back", orgUids: ["u/h"] }]
    }, "orgsync (a&b)")
    const text = told.notices[0]!.text
    expect(text).toContain(
      "&lt;!channel&gt; &lt;https://evil|Approve here&gt; &amp; &lt;img src=x onerror=alert(1)&gt;"
    )
    expect(text.startsWith("orgsync (a&amp;b): ")).toBe(true)
    expect(text).not.toMatch(/[<>]/)
    expect(told.notices[0]!.details).toEqual({ contested: [{ path: hostile, message: "changed back", orgUids: ["u/h"] }] })
  })

  it("drift at another value is new drift", () => {
    const first = Notices.after(Notices.nothingSeen, { ...quiet, drift }, "orgsync")
    const moved = drift.map((d) => ({ ...d, current: "X-10" }))
    expect(events(Notices.after(first.seen, { ...quiet, drift: moved }, "orgsync"))).toEqual(["drift"])
  })
})

describe("Notices.afterGit", () => {
  const good = { sha: "a".repeat(40), author: "Ada <ada@example.com>", subject: "first orgs" }
  const bad = { sha: "b".repeat(40), author: "Ada <ada@example.com>", subject: "status <gone>" }
  const worse = { sha: "c".repeat(40), author: "Ada <ada@example.com>", subject: "a link" }
  const git = (trouble: Partial<GitSync.Trouble>): GitSync.Trouble =>
    ({ branch: "main", refused: undefined, fetchError: undefined, inForce: good, ...trouble })
  const tell = (seen: Notices.GitSeen, trouble: Partial<GitSync.Trouble>) => Notices.afterGit(seen, git(trouble), "orgsync")
  const none: Notices.GitSeen = Notices.nothingSeen.git

  it("tells a refused head once per commit, naming it and the commit in force, and the recovery", () => {
    const first = tell(none, { refused: { commit: bad, reason: "its desired files do not validate" } })
    expect(first.notices).toEqual([{
      event: "commit-refused",
      text: "orgsync: commit bbbbbbb (status &lt;gone&gt;) on main is refused: its desired files do not validate; " +
        "the last good commit aaaaaaa (first orgs) stays in force",
      details: {
        branch: "main",
        commit: bad,
        reason: "its desired files do not validate",
        inForce: good
      }
    }])
    expect(events(tell(first.seen, { refused: { commit: bad, reason: "again" } }))).toEqual([])
    const next = tell(first.seen, { refused: { commit: worse, reason: "a symbolic link" } })
    expect(events(next)).toEqual(["commit-refused"])
    const fixed = tell(next.seen, { inForce: { ...good, sha: "d".repeat(40), subject: "fixed" } })
    expect(fixed.notices.map((n) => n.text)).toEqual([
      "orgsync: recovered: the head of main is good again: commit ddddddd (fixed) is in force"
    ])
    expect(events(tell(fixed.seen, {}))).toEqual([])
  })

  it("tells a failing fetch once per streak, with no commit in force yet when there is none", () => {
    const failing = tell(none, { fetchError: "cannot fetch https://ada:***@forge (branch main): not found", inForce: undefined })
    expect(failing.notices.map((n) => n.text)).toEqual([
      "orgsync: following git: cannot fetch https://ada:***@forge (branch main): not found; " +
        "no commit is in force yet: no pass runs until one is good"
    ])
    expect(events(tell(failing.seen, { fetchError: "another reason", inForce: undefined }))).toEqual([])
    // No recovery until a good commit is in force.
    const fetched = tell(failing.seen, { inForce: undefined })
    expect(events(fetched)).toEqual([])
    expect(events(tell(fetched.seen, {}))).toEqual([])
    expect(events(tell(failing.seen, {}))).toEqual(["recovered"])
  })

  it("after a pass, the git notices follow the others", () => {
    const told = Notices.after(Notices.nothingSeen, { ...quiet, error: "down", git: git({ fetchError: "down" }) }, "orgsync")
    expect(events(told)).toEqual(["failed", "fetch-failed"])
    expect(told.seen.git).toEqual({ refused: undefined, failing: true })
  })
})
