import { describe, expect, it } from "@effect/vitest"
import type * as Plan from "../src/Plan.js"
import * as PlanMarkdown from "../src/PlanMarkdown.js"
import * as Policy from "../src/Policy.js"
import { change, d, type DesiredSpec, emptyPlan, mixedPlan, plan, r, type RemoteSpec, tenant } from "./plan-fixtures.js"

const source: PlanMarkdown.Source = {
  tenantUrl: "https://console.us.code42.com",
  commit: { sha: "1a2b3c4", modified: false }
}
const unknown: PlanMarkdown.Source = { tenantUrl: undefined, commit: undefined }

/** A plan with one change of most kinds, a prune, a drift, a conflict and an unmanaged org. */
const mixed = () =>
  mixedPlan(
    [r("Legacy", {}, r("Archive")), ...Array.from({ length: 16 }, (_, i) => r(`Team ${i}`))],
    Array.from({ length: 16 }, (_, i) => d(`Team ${i}`)),
    { prune: "deactivate" }
  )

const linesOf = (markdown: string) => markdown.split("\n")

describe("PlanMarkdown.render", () => {
  it("leads with the marker, the heading and the headline in orgs, then destructive changes and their cascades", () => {
    expect(linesOf(PlanMarkdown.render(mixed(), source))).toEqual([
      "<!-- orgsync-plan -->",
      "### orgsync plan for <https://console.us.code42.com> at `1a2b3c4`",
      "",
      "**Plan: ⚠️ 3 orgs to block, 0 to deactivate, 2 to prune; 1 to create, 2 to update, 1 to unblock, " +
      "1 to reactivate; 1 conflict, 2 unmanaged.**",
      "",
      "**⚠️ Destructive: 5 orgs blocked or deactivated, in 2 calls**",
      "",
      "| Action | Path | Change | Cause |",
      "| --- | --- | --- | --- |",
      "| ⚠️ block | Eng | active → blocked, cascades to 2 orgs | desired |",
      "| ⚠️ prune | Legacy | active → deactivated, cascades to 1 org | desired |",
      "",
      "<details><summary>3 orgs reached by cascade</summary>",
      "",
      "- Eng (block)",
      "  - Eng/Platform",
      "  - Eng/Tools",
      "- Legacy (prune)",
      "  - Legacy/Archive",
      "",
      "</details>",
      "",
      "**Other changes**",
      "",
      "| Action | Path | Change | Cause |",
      "| --- | --- | --- | --- |",
      "| ^ reactivate | Sales | deactivated → active | drift |",
      "| ^ unblock | Contractors | blocked → active | desired |",
      "| + create | Eng/Tools | name: \"Tools\", extRef: \"T-1\" | desired |",
      "| ~ update | Contractors | name: \"Vendors\" → \"Contractors\" | desired |",
      "| ~ update | Eng | notes: \"old\" → \"Product engineering\" | desired |",
      "",
      "**Conflicts** (nothing is done for these orgs)",
      "",
      "| Kind | Path | Problem |",
      "| --- | --- | --- |",
      "| ambiguous | Dup | 2 Code42 orgs under the managed root match \"Dup\": pin one with \\`uid\\`. |",
      "",
      "**Unmanaged** (in Code42 under the root, in no desired file)",
      "",
      "| Path | Status | Action |",
      "| --- | --- | --- |",
      "| Legacy | active | deactivate |",
      "| Legacy/Archive | active | deactivate |",
      ""
    ])
  })

  it("counts a deactivation by the orgs it reaches, not as one call", () => {
    const reached = Array.from({ length: 34 }, (_, i) => `Old/Team ${i}`)
    const output = PlanMarkdown.render({ ...emptyPlan, changes: [change("deactivate", "Old", reached)] }, unknown)
    expect(output).toContain("**Plan: ⚠️ 0 orgs to block, 35 to deactivate, 0 to prune; 0 to create,")
    expect(output).toContain("**⚠️ Destructive: 35 orgs blocked or deactivated, in 1 call**")
    for (const path of reached) expect(output).toContain(`\n  - ${path}\n`)
  })

  it("says when nothing is blocked, deactivated or pruned, and when nothing is to be done", () => {
    const creates = PlanMarkdown.render({ ...emptyPlan, changes: [change("create", "New")] }, unknown)
    expect(creates).toContain("**Plan: 0 orgs to block, deactivate or prune; 1 to create, 0 to update,")
    expect(creates).toContain("\n**Changes**\n")
    expect(creates).not.toContain("⚠️")
    expect(PlanMarkdown.render(emptyPlan, unknown)).toBe(
      "<!-- orgsync-plan -->\n### orgsync plan\n\n**No changes. The tree matches the desired state.**\n"
    )
  })

  it("names the commit, marks uncommitted desired files, and never shows credentials of the tenant URL", () => {
    const heading = (s: PlanMarkdown.Source) => linesOf(PlanMarkdown.render(emptyPlan, s))[1]
    expect(heading({ tenantUrl: "https://user:pw@tenant.example/c42/?token=x#y", commit: undefined }))
      .toBe("### orgsync plan for <https://tenant.example/c42>")
    expect(heading({ tenantUrl: "not a url", commit: { sha: "abcdef0", modified: true } }))
      .toBe("### orgsync plan at `abcdef0` (modified)")
  })

  it("puts a refusal first and escapes pipes, newlines (as the text plan does) and markup in cells", () => {
    const result: Plan.Plan = {
      ...emptyPlan,
      unmanaged: [{ path: "a|b\nc\\|d*e<b>\r\nf", orgUid: "9", orgName: "x", status: "blocked", action: "report" }],
      refusal: { reason: "empty-desired", message: "No | orgs" }
    }
    expect(linesOf(PlanMarkdown.render(result, unknown)).slice(2)).toEqual([
      "",
      "> **Refused (empty-desired):** No \\| orgs",
      "",
      "**Plan: 0 orgs to block, deactivate or prune; 0 to create, 0 to update, 0 to unblock, 0 to reactivate; " +
      "0 conflicts, 1 unmanaged.**",
      "",
      "**Unmanaged** (in Code42 under the root, in no desired file)",
      "",
      "| Path | Status | Action |",
      "| --- | --- | --- |",
      "| a\\|b\\u000Ac\\\\\\|d\\*e\\<b\\>\\u000D\\u000Af | blocked | report |",
      ""
    ])
  })

  it("never mentions a person or team, nor references an issue, from an org name", () => {
    const result: Plan.Plan = {
      ...emptyPlan,
      changes: [change("create", "@security-team/Ops #12 & @ #")]
    }
    const row = linesOf(PlanMarkdown.render(result, unknown)).find((line) => line.startsWith("| + create |"))!
    expect(row).not.toMatch(/[@#][\w-]/)
    expect(row).toContain("@\u2060security-team/Ops #\u206012 & @ #")
  })

  it("shows invisible characters in names escaped, keeping its own word joiners after @ and #", () => {
    const result: Plan.Plan = { ...emptyPlan, changes: [change("create", "@ops Abc\u200B\u2060")] }
    const row = linesOf(PlanMarkdown.render(result, unknown)).find((line) => line.startsWith("| + create |"))!
    expect(row).toContain("@\u2060ops Abc\\u200B\\u2060")
  })

  it("writes an escaped character with one backslash in every column, and a backslash of a name as markdown shows it", () => {
    const created: Plan.Change = {
      ...change("create", "Ab\u202Ec"),
      after: { name: "Ab\u202Ec", notes: "C:\\temp" }
    }
    const row = linesOf(PlanMarkdown.render({ ...emptyPlan, changes: [created] }, unknown))
      .find((line) => line.startsWith("| + create |"))!
    // In markdown `\\` renders as one backslash and `\u` as written: the comment reads as the text plan does.
    expect(row).toBe('| + create | Ab\\u202Ec | name: "Ab\\u202Ec", notes: "C:\\\\\\\\temp" | desired |')
  })

  it("keeps every row when they fit", () => {
    const result: Plan.Plan = { ...emptyPlan, changes: Array.from({ length: 100 }, (_, i) => change("create", `Org ${i}`)) }
    const output = PlanMarkdown.render(result, source)
    expect(linesOf(output).filter((line) => line.startsWith("| + create |"))).toHaveLength(100)
    expect(output).not.toContain("not shown")
  })
})

/**
 * A 3,000-org tenant: 10 regions of 10 units; 74 teams to block with 2 or 3 squads each (235 orgs);
 * 2,654 desks whose notes change and 600 new desks to create.
 */
const largeTenant = () => {
  const teams = Array.from({ length: 74 }, (_, i) => ({ unit: i % 100, name: `Team ${i} Platform Operations` }))
  const squads = (i: number) => Array.from({ length: i < 13 ? 3 : 2 }, (_, k) => `Squad ${k} of team ${i}`)
  const desks = Array.from({ length: 2_654 }, (_, i) => ({ unit: (i * 7) % 100, name: `Desk ${i} Customer Success` }))
  const created = Array.from({ length: 600 }, (_, i) => ({ unit: (i * 3) % 100, name: `New desk ${i}` }))
  const unit = <A>(build: (unit: number) => ReadonlyArray<A>, region: number, name: (u: number) => string,
    make: (name: string, ...children: ReadonlyArray<A>) => A) =>
    Array.from({ length: 10 }, (_, j) => make(name(region * 10 + j), ...build(region * 10 + j)))
  const remoteUnit = (u: number): ReadonlyArray<RemoteSpec> => [
    ...teams.filter((t) => t.unit === u).map((t) =>
      r(t.name, {}, ...squads(teams.indexOf(t)).map((squad) => r(squad)))
    ),
    ...desks.filter((desk) => desk.unit === u).map((desk) => r(desk.name, { notes: "Cost centre 1000" }))
  ]
  const desiredUnit = (u: number): ReadonlyArray<DesiredSpec> => [
    ...teams.filter((t) => t.unit === u).map((t) =>
      d(t.name, { status: "blocked" }, ...squads(teams.indexOf(t)).map((squad) => d(squad)))
    ),
    ...desks.filter((desk) => desk.unit === u).map((desk) =>
      d(desk.name, { notes: `Cost centre 2000, moved with the reorganisation of unit ${u} in November` })
    ),
    ...created.filter((desk) => desk.unit === u).map((desk) => d(desk.name))
  ]
  const remote = tenant(...Array.from({ length: 10 }, (_, region) =>
    r(`Region ${region}`, {}, ...unit(remoteUnit, region, (u) => `Business unit ${u}`, (n, ...c) => r(n, {}, ...c)))
  ))
  const wanted = Array.from({ length: 10 }, (_, region) =>
    d(`Region ${region}`, {}, ...unit(desiredUnit, region, (u) => `Business unit ${u}`, (n, ...c) => d(n, {}, ...c)))
  )
  return { remote, wanted }
}

describe("PlanMarkdown.render on a large plan", () => {
  it("keeps every destructive org of a 3,000-org tenant within 65,000 characters and summarizes the rest", () => {
    const { remote, wanted } = largeTenant()
    expect(remote).toHaveLength(3_000)
    const result = plan(remote, wanted)
    expect(result.refusal).toBeUndefined()
    const blocks = result.changes.filter((c) => c.action === "block")
    expect(blocks).toHaveLength(74)
    expect(blocks.reduce((sum, c) => sum + 1 + c.cascadesTo.length, 0)).toBe(235)
    const others = result.changes.length - blocks.length
    expect(others).toBe(2_654 + 600)

    const output = PlanMarkdown.render(result, source)
    expect(output.length).toBeLessThanOrEqual(65_000)
    expect(output).toContain("**Plan: ⚠️ 235 orgs to block, 0 to deactivate, 0 to prune; 600 to create, 2654 to update,")
    const lines = linesOf(output)
    for (const block of blocks) {
      expect(lines).toContain(`| ⚠️ block | ${block.path} | active → blocked, cascades to ` +
        `${block.cascadesTo.length} orgs | desired |`)
      for (const path of block.cascadesTo) expect(lines).toContain(`  - ${path}`)
    }
    // Destructive rows come before every other row.
    const firstOther = lines.findIndex((line) => /^\| [+~^] /.test(line))
    expect(firstOther).toBeGreaterThan(lines.lastIndexOf("</details>"))
    const shown = lines.filter((line) => /^\| [+~^] /.test(line)).length
    expect(shown).toBeGreaterThan(50)
    const notShown = /_(\d+) more changes \((\d+) to create, (\d+) to update\) not shown: a comment holds at most 65,000/
      .exec(output)
    expect(notShown).not.toBeNull()
    expect(Number(notShown![1])).toBe(others - shown)
    expect(Number(notShown![2]) + Number(notShown![3])).toBe(others - shown)
    expect(output).not.toContain("destructive org")
  })

  it("says how many destructive orgs it could not list when they alone overflow a comment", () => {
    const long = (i: number) => `${"Deep".repeat(40)} ${i}`
    const changes = Array.from({ length: 200 }, (_, i) =>
      change("block", long(i), Array.from({ length: 5 }, (_, k) => `${long(i)}/${"Child".repeat(20)} ${k}`))
    )
    const output = PlanMarkdown.render({ ...emptyPlan, changes: [...changes, change("create", "New")] }, source)
    expect(output.length).toBeLessThanOrEqual(65_000)
    const listed = linesOf(output).filter((line) => line.startsWith("| ⚠️ block |") || line.startsWith("  - ")).length
    expect(listed).toBeGreaterThan(100)
    expect(output).toContain(`**⚠️ ${1_200 - listed} destructive orgs not listed: more than a comment holds.`)
    expect(output).toContain("_1 more change (1 to create) not shown")
    expect(output).toContain("\n\n</details>\n")
  })
})

describe("PlanMarkdown.invalid", () => {
  it("gives validation errors as a table under the marker and heading", () => {
    const output = PlanMarkdown.invalid([
      { file: "orgs.yaml", line: 3, column: 5, message: "unknown key `colour`" },
      { file: "teams/a|b.yaml", line: 1, column: 1, message: "duplicate sibling \"Sales\"" }
    ], source)
    expect(linesOf(output)).toEqual([
      "<!-- orgsync-plan -->",
      "### orgsync plan for <https://console.us.code42.com> at `1a2b3c4`",
      "",
      "**⛔ The desired files do not validate: 2 errors. Nothing was planned.**",
      "",
      "**Errors**",
      "",
      "| Where | Error |",
      "| --- | --- |",
      "| orgs.yaml:3:5 | unknown key \\`colour\\` |",
      "| teams/a\\|b.yaml:1:1 | duplicate sibling \"Sales\" |",
      ""
    ])
  })

  it("stays within 65,000 characters with any number of errors", () => {
    const issues = Array.from({ length: 5_000 }, (_, i) => ({
      file: "orgs.yaml",
      line: i + 1,
      column: 3,
      message: `unknown key "extra${i}": expected one of name, extRef, notes, status, uid, previously, protect`
    }))
    const output = PlanMarkdown.invalid(issues, source)
    expect(output.length).toBeLessThanOrEqual(65_000)
    const shown = linesOf(output).filter((line) => line.startsWith("| orgs.yaml:")).length
    expect(output).toContain(`_${5_000 - shown} more errors not shown: a comment holds at most 65,000 characters. ` +
      "Run `orgsync validate` to see every one._")
  })
})

describe("PlanMarkdown.render with what the policy keeps back", () => {
  it("lists drift reported and changes never applied apart, not as changes to make, and counts them apart", () => {
    const planned = mixed()
    const { kept } = Policy.gate(planned.changes, { destructive: "never", drift: "report" })
    const lines = linesOf(PlanMarkdown.render(planned, unknown, kept))
    expect(lines[3]).toBe(
      "**Plan: 0 orgs to block, deactivate or prune; 1 to create, 2 to update, 1 to unblock, 0 to reactivate; " +
        "1 conflict, 2 unmanaged. Kept back: 1 drift reported (drift: report), not reverted, " +
        "2 not applied (destructive: never).**"
    )
    expect(lines.some((line) => line.startsWith("**⚠️ Destructive"))).toBe(false)
    const from = lines.indexOf("**Kept back by the policy** (planned, not made)")
    expect(lines.slice(from, from + 7)).toEqual([
      "**Kept back by the policy** (planned, not made)",
      "",
      "| Action | Path | Change | Why |",
      "| --- | --- | --- | --- |",
      "| ^ reactivate | Sales | deactivated → active | drift: report, not reverted |",
      "| - block | Eng | active → blocked, cascades to 2 orgs | destructive: never |",
      "| - prune | Legacy | active → deactivated, cascades to 1 org | destructive: never |"
    ])
  })
})
