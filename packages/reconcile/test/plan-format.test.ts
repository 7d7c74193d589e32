import { describe, expect, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import type * as Plan from "../src/Plan.js"
import * as PlanChecksum from "../src/PlanChecksum.js"
import * as PlanFormat from "../src/PlanFormat.js"
import { change, d, emptyPlan, mixedPlan, plan, r, tenant, uid } from "./plan-fixtures.js"

/** A plan with one change of most kinds, a drift, a conflict and an unmanaged org. */
const mixed = () => mixedPlan([r("Legacy")])

describe("PlanFormat.text", () => {
  it("shows one line per change, then conflicts, unmanaged orgs and the summary", () => {
    expect(PlanFormat.text(mixed())).toBe(
      [
        "Changes:",
        "  ^ reactivate Sales  deactivated → active (drift)",
        "  ^ unblock    Contractors  blocked → active",
        "  + create     Eng/Tools  name: \"Tools\", extRef: \"T-1\"",
        "  ~ update     Contractors  name: \"Vendors\" → \"Contractors\"",
        "  ~ update     Eng  notes: \"old\" → \"Product engineering\"",
        "  - block      Eng  active → blocked, cascades to 2 orgs",
        "",
        "Conflicts (nothing is done for these orgs):",
        "  ! ambiguous          Dup: 2 Code42 orgs under the managed root match \"Dup\": pin one with `uid`.",
        "",
        "Unmanaged (in Code42 under the root, in no desired file):",
        "  ? Legacy (active)",
        "",
        "Plan: 1 to create, 2 to update, 1 to block, 1 to unblock, 0 to deactivate, 1 to reactivate; 1 conflict, " +
        "1 unmanaged.",
        ""
      ].join("\n")
    )
  })

  it("shows invisible characters and direction marks in names escaped, so that a hidden rename is seen", () => {
    const rename: Plan.Change = {
      ...change("update", "Sales\u200B"),
      before: { name: "Sales" },
      after: { name: "Sales\u200B" }
    }
    const text = PlanFormat.text({ ...emptyPlan, changes: [rename, change("create", "Abc\u202Etxt.exe")] })
    expect(text).toContain('  ~ update     Sales\\u200B  name: "Sales" → "Sales\\u200B"')
    expect(text).toContain("  + create     Abc\\u202Etxt.exe")
    expect(text).not.toMatch(/\p{Default_Ignorable_Code_Point}/u)
  })

  it("escapes separators other than the space (U+2028, U+2029, U+00A0, U+3000) and writes astral ones as \\u{...}", () => {
    const text = PlanFormat.text({
      ...emptyPlan,
      changes: [change("create", "LS\u2028PS\u2029NBSP\u00a0Ideo\u3000Tag\u{E0041}\u{E007F} end")]
    })
    expect(text).toContain("  + create     LS\\u2028PS\\u2029NBSP\\u00A0Ideo\\u3000Tag\\u{E0041}\\u{E007F} end")
    expect(text).not.toMatch(/[\u00a0\u2028\u2029\u3000]|\p{Default_Ignorable_Code_Point}/u)
  })

  it("spells an escaped character one way in the path, in the change and among the conflicts", () => {
    const created: Plan.Change = { ...change("create", "Ab\u202Ec"), after: { name: "Ab\u202Ec", notes: "x\ty\\z" } }
    const conflict: Plan.Conflict = { kind: "ambiguous", path: "Ab\u202Ec", message: "\"Ab\u202Ec\"", orgUids: [] }
    const text = PlanFormat.text({ ...emptyPlan, changes: [created], conflicts: [conflict] })
    expect(text).toContain('  + create     Ab\\u202Ec  name: "Ab\\u202Ec", notes: "x\\u0009y\\\\z"')
    expect(text).toContain('Ab\\u202Ec: "Ab\\u202Ec"')
    expect(text).not.toMatch(/\\u[0-9A-F]{0,3}[a-f]/)
  })

  it("says so when nothing is to be done", () => {
    expect(PlanFormat.text(plan(tenant(r("Sales")), [d("Sales")]))).toBe(
      "No changes. The tree matches the desired state.\n"
    )
    expect(PlanFormat.text(plan(tenant(r("Sales"), r("Legacy")), [d("Sales")]))).toBe(
      [
        "Unmanaged (in Code42 under the root, in no desired file):",
        "  ? Legacy (active)",
        "",
        "No changes. The tree matches the desired state. 1 unmanaged.",
        ""
      ].join("\n")
    )
  })

  it("shows prunes, plural counts and a refusal first", () => {
    const remote = tenant(...Array.from({ length: 10 }, (_, i) => r(`Org${i}`)), r("Old", {}, r("Older")))
    const wanted = Array.from({ length: 10 }, (_, i) => d(`Org${i}`, { status: i < 2 ? "blocked" : "active" }))
    const result = plan(remote, wanted, { prune: "deactivate" })
    expect(PlanFormat.text(result)).toBe(
      [
        "Refused (threshold): The plan blocks or deactivates 4 of 12 managed orgs, above 25%: re-run with --force " +
        "if this is intended.",
        "",
        "Changes:",
        "  - deactivate Old  active → deactivated, cascades to 1 org",
        "  - block      Org0  active → blocked",
        "  - block      Org1  active → blocked",
        "",
        "Unmanaged (in Code42 under the root, in no desired file):",
        "  ? Old (active, pruned)",
        "  ? Old/Older (active, pruned)",
        "",
        "Plan: 0 to create, 0 to update, 2 to block, 0 to unblock, 1 to deactivate, 0 to reactivate; 0 conflicts, " +
        "2 unmanaged.",
        ""
      ].join("\n")
    )
  })

  it("marks the head of each row by its tone, keeping the columns of the plain rows", () => {
    const painted = PlanFormat.text(mixed(), (tone, text) => `<${tone}>${text}</>`)
    expect(painted.split("\n").filter((line) => line.includes("<"))).toEqual([
      "  <change>^ reactivate</> Sales  deactivated → active (drift)",
      "  <change>^ unblock</>    Contractors  blocked → active",
      "  <add>+ create</>     Eng/Tools  name: \"Tools\", extRef: \"T-1\"",
      "  <change>~ update</>     Contractors  name: \"Vendors\" → \"Contractors\"",
      "  <change>~ update</>     Eng  notes: \"old\" → \"Product engineering\"",
      "  <remove>- block</>      Eng  active → blocked, cascades to 2 orgs",
      "  <alert>! ambiguous</>          Dup: 2 Code42 orgs under the managed root match \"Dup\": pin one with `uid`."
    ])
    const refused = plan(
      tenant(...Array.from({ length: 10 }, (_, i) => r(`Org${i}`))),
      Array.from({ length: 10 }, (_, i) => d(`Org${i}`, { status: i < 3 ? "blocked" : "active" }))
    )
    expect(PlanFormat.text(refused, (tone, text) => `<${tone}>${text}</>`)).toMatch(/^<alert>Refused \(threshold\)<\/>: /)
  })

  it("never sends control characters from an org name to the terminal", () => {
    const output = PlanFormat.text(plan(tenant(r("Evil\u001b[2Jname\nx")), [], {}))
    expect(output).toContain("? Evil\\u001B[2Jname\\u000Ax (active)")
    expect(output).not.toContain("\u001b")
  })
})

describe("PlanFormat.json", () => {
  it("has exactly the documented keys, and `refusal` only when refused", () => {
    const document = JSON.parse(PlanFormat.json(mixed()))
    expect(Object.keys(document)).toEqual(["formatVersion", "summary", "changes", "conflicts", "unmanaged", "checksum"])
    expect(document.formatVersion).toBe(1)
    expect(document.summary).toEqual({
      create: 1,
      update: 2,
      block: 1,
      unblock: 1,
      deactivate: 0,
      reactivate: 1,
      conflicts: 1,
      unmanaged: 1
    })
    expect(document.changes[5]).toEqual({
      action: "block",
      path: "Eng",
      orgUid: uid("Eng"),
      before: { status: "active" },
      after: { status: "blocked" },
      cascadesTo: ["Eng/Platform", "Eng/Tools"],
      cause: "desired"
    })
    for (const change of document.changes) {
      expect(Object.keys(change)).toEqual(["action", "path", "orgUid", "before", "after", "cascadesTo", "cause"])
    }
    expect(document.conflicts).toEqual([{
      kind: "ambiguous",
      path: "Dup",
      message: "2 Code42 orgs under the managed root match \"Dup\": pin one with `uid`.",
      orgUids: [uid("Dup"), "u2"]
    }])
    expect(document.unmanaged).toEqual([
      { path: "Legacy", orgUid: uid("Legacy"), orgName: "Legacy", status: "active", action: "report" }
    ])

    const refused = JSON.parse(PlanFormat.json({ ...emptyPlan, refusal: { reason: "threshold", message: "too many" } }))
    expect(Object.keys(refused)).toEqual([
      "formatVersion",
      "refusal",
      "summary",
      "changes",
      "conflicts",
      "unmanaged",
      "checksum"
    ])
    expect(refused.refusal).toEqual({ reason: "threshold", message: "too many" })
  })

  it("keeps names as they are, invisible characters included: JSON is read by programs, which parse the escapes", () => {
    const name = "Ab\u202Ec\u200B"
    const created: Plan.Change = { ...change("create", name), after: { name } }
    const document = JSON.parse(PlanFormat.json({ ...emptyPlan, changes: [created] }))
    expect(document.changes[0].path).toBe(name)
    expect(document.changes[0].after).toEqual({ name })
  })

  it("carries the plan's checksum", () => {
    const result = mixed()
    expect(JSON.parse(PlanFormat.json(result)).checksum).toBe(PlanChecksum.checksum(result))
  })
})

describe("PlanFormat.checksum", () => {
  it("is sha256 over the canonical serialization (sorted keys, no whitespace)", () => {
    const canonical = `{"changes":[],"formatVersion":1}`
    expect(PlanChecksum.checksum(emptyPlan)).toBe(`sha256:${createHash("sha256").update(canonical).digest("hex")}`)
  })

  it("is stable across runs and object key orders", () => {
    const first = mixed()
    expect(PlanChecksum.checksum(mixed())).toBe(PlanChecksum.checksum(first))
    const reordered = Object.fromEntries(Object.entries({
      ...first,
      changes: first.changes.map((change) => Object.fromEntries(Object.entries(change).reverse()))
    }).reverse()) as unknown as Plan.Plan
    expect(PlanChecksum.checksum(reordered)).toBe(PlanChecksum.checksum(first))
    expect(PlanChecksum.checksum(first)).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it("changes with any part of the changes, and only with them", () => {
    const base = mixed()
    const variants: ReadonlyArray<Plan.Plan> = [
      { ...base, changes: base.changes.map((c, i) => (i === 0 ? { ...c, cause: "desired" as const } : c)) },
      {
        ...base,
        changes: base.changes.map((c, i) => (i === 5 ? { ...c, cascadesTo: [...c.cascadesTo].reverse() } : c))
      },
      { ...base, changes: base.changes.map((c, i) => (i === 2 ? { ...c, parentOrgUid: "other" } : c)) },
      { ...base, changes: [...base.changes].reverse() }
    ]
    const sums = new Set([base, ...variants].map(PlanChecksum.checksum))
    expect(sums.size).toBe(variants.length + 1)
    // What Safety says of the changes, and what is reported beside them, is not what was reviewed.
    const beside: ReadonlyArray<Plan.Plan> = [
      { ...base, conflicts: [] },
      { ...base, unmanaged: [] },
      { ...base, refusal: { reason: "threshold", message: "too many" } },
      { ...base, managedCount: base.managedCount + 1 }
    ]
    for (const variant of beside) expect(PlanChecksum.checksum(variant)).toBe(PlanChecksum.checksum(base))
  })
})

describe("PlanFormat.summary", () => {
  it("counts changes by action, conflicts and unmanaged orgs", () => {
    expect(PlanFormat.summary({ ...emptyPlan, changes: [change("create", "A"), change("create", "B")] })).toEqual({
      create: 2,
      update: 0,
      block: 0,
      unblock: 0,
      deactivate: 0,
      reactivate: 0,
      conflicts: 0,
      unmanaged: 0
    })
  })

  it("shows the first 50 unmanaged orgs in a terminal and says how many more there are", () => {
    const remote = tenant(r("Kept"), ...Array.from({ length: 60 }, (_, i) => r(`Old ${String(i).padStart(2, "0")}`)))
    const output = PlanFormat.text(plan(remote, [d("Kept")]))
    expect(output.split("\n").filter((line) => line.startsWith("  ? Old "))).toHaveLength(50)
    expect(output).toContain("  ? Old 49 (active)\n  ... and 10 more (--format json lists every one)\n")
    expect(output).toContain("60 unmanaged")
  })
})

describe("PlanFormat.plural", () => {
  it("adds an s for any count but one", () => {
    expect([0, 1, 2].map((n) => PlanFormat.plural(n, "org"))).toEqual(["0 orgs", "1 org", "2 orgs"])
  })

  it("takes the plural a word needs where an s is not it", () => {
    expect([1, 2].map((n) => PlanFormat.plural(n, "failed pass", "failed passes")))
      .toEqual(["1 failed pass", "2 failed passes"])
    expect(PlanFormat.noun(3, "pass", "passes")).toBe("passes")
  })
})
