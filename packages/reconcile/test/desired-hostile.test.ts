import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { formatIssue } from "../src/Desired.js"
import * as DesiredFiles from "../src/DesiredFiles.js"
import * as DesiredYaml from "../src/DesiredYaml.js"
import * as Printable from "../src/Printable.js"

// Hostile input is generated here rather than committed. Each test's timeout catches a parser that does not
// stop early; how fast loading is, is measured by `npm run bench`.

/** Writes `content` to a fresh file and loads it. */
const loadContent = (content: string | Uint8Array) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-hostile-" })
    const file = `${dir}/orgs.yaml`
    yield* typeof content === "string" ? fs.writeFileString(file, content) : fs.writeFile(file, content)
    const result = yield* Effect.either(DesiredFiles.load(file))
    return { result, file }
  })

/** Loads content that must be rejected, and returns its issues as `line:column: message`. */
const rejected = (content: string | Uint8Array) =>
  Effect.gen(function*() {
    const { file, result } = yield* loadContent(content)
    if (result._tag === "Right") throw new Error("expected the file to be rejected")
    return result.left.issues.map((issue) => formatIssue(issue).slice(file.length + 1))
  })

const padded = (i: number) => `Org ${String(i).padStart(6, "0")}`

const siblings = (count: number, name: (i: number) => string = padded) =>
  "orgs:\n" + Array.from({ length: count }, (_, i) => `  - name: ${name(i)}\n`).join("")

layer(NodeFileSystem.layer)("DesiredFiles.load on hostile input", (it) => {
  it.scoped("loads 100,000 siblings", () =>
    Effect.gen(function*() {
      const { result } = yield* loadContent(siblings(100_000))
      if (result._tag === "Left") throw result.left
      expect(result.right.orgs.length).toBe(100_000)
      expect(result.right.orgs[99_999]!.path).toBe("Org 099999")
    }))

  it.scoped("finds the one duplicate among 100,000 siblings", () =>
    Effect.gen(function*() {
      const issues = yield* rejected(siblings(100_000, (i) => padded(i === 99_999 ? 7 : i)))
      expect(issues).toEqual([`100001:11: duplicate name "Org 000007" among the top-level orgs (also at 9:11)`])
    }))

  it.scoped("stops an alias bomb", () =>
    Effect.gen(function*() {
      const levels = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
      const bomb = [
        "x: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
        ...levels.slice(1).map((level, i) => `${level}: &${level} [${Array(9).fill(`*${levels[i]}`).join(", ")}]`),
        "orgs: []"
      ].join("\n")
      expect(yield* rejected(bomb)).toEqual(["2:8: YAML aliases expand too far (at most 100 copies of an anchor)"])
    }))

  it.scoped("caps the orgs that aliases multiply", () =>
    Effect.gen(function*() {
      const team = Array.from({ length: 2_100 }, (_, i) => `      - name: Member ${i}\n`).join("")
      const groups = Array.from({ length: 99 }, (_, i) => `  - name: Group ${i + 1}\n    children: *team\n`).join("")
      const text = `orgs:\n  - name: Group 0\n    children: &team\n${team}${groups}`
      const issues = yield* rejected(text)
      // 95 groups of 2,101 orgs, then Group 95 and 405 members: the 200,001st is Member 404 (line 408), repeated.
      expect(issues).toEqual(["408:9: more than 200000 orgs in one file"])
    }))

  it.scoped("refuses an org that an alias repeats inside itself, however often", () =>
    Effect.gen(function*() {
      const loop = "orgs:\n  - &loop\n    name: Loop\n    children: [*loop, *loop]\n"
      expect(yield* rejected(loop)).toEqual([
        "4:16: an alias may not repeat an org inside itself",
        "4:23: an alias may not repeat an org inside itself"
      ])
    }))

  it.scoped("stops a million open brackets early", () =>
    Effect.gen(function*() {
      expect(yield* rejected(`orgs: ${"[".repeat(1_000_000)}`)).toEqual(["1:133: YAML nested deeper than 128 levels"])
    }))

  it.scoped("stops a million nested block sequences early", () =>
    Effect.gen(function*() {
      expect(yield* rejected("- ".repeat(1_000_000))).toEqual(["1:255: YAML nested deeper than 128 levels"])
    }))

  it.scoped("stops at the token limit, which bounds the memory parsing takes", () =>
    Effect.gen(function*() {
      const issues = yield* rejected("#\n".repeat(DesiredYaml.MaxTokens / 2 + 1))
      expect(issues).toEqual([`${DesiredYaml.MaxTokens / 2 + 1}:1: the file is too large: more than 4000000 YAML tokens`])
    }))

  it.scoped("refuses binary content", () =>
    Effect.gen(function*() {
      const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 151) % 256)
      expect(yield* rejected(bytes)).toEqual(["1:1: the file is not UTF-8 text"])
      const nul = new TextEncoder().encode("orgs:\n  - name: Engi\u0000neering\n")
      expect(yield* rejected(nul)).toEqual(["1:1: the file holds NUL bytes: binary data, not YAML text"])
    }))

  it.scoped("refuses UTF-16, with or without a byte-order mark", () =>
    Effect.gen(function*() {
      const utf16 = (text: string, bom: boolean) => {
        const units = Uint16Array.from([...(bom ? [0xfeff] : []), ...Array.from(text, (c) => c.charCodeAt(0))])
        return new Uint8Array(units.buffer)
      }
      const text = "orgs:\n  - name: Engineering\n"
      expect(yield* rejected(utf16(text, true))).toEqual(["1:1: the file is UTF-16 text: save it as UTF-8"])
      expect(yield* rejected(utf16(text, false))).toEqual(["1:1: the file holds NUL bytes: binary data, not YAML text"])
    }))

  it.scoped("reports a 10,000-character name briefly", () =>
    Effect.gen(function*() {
      const long = (c: string) => c.repeat(10_000)
      const issues = yield* rejected(`orgs:\n  - name: ${long("N")}\n    previously: ["${long("P")}"]\n`)
      expect(issues).toEqual([
        "2:11: name is too long (10000 characters): Code42 allows at most 220",
        "3:18: previously is too long (10000 characters): Code42 allows at most 220"
      ])
    }))

  it.scoped("refuses control characters in names, raw or escaped", () =>
    Effect.gen(function*() {
      const names = [`"Sales\\u0000EMEA"`, `"Sales\\u009bEMEA"`, `"Sales\\tEMEA"`, "Sales\u0007EMEA"]
      const issues = yield* rejected(`orgs:\n${names.map((name) => `  - name: ${name}\n`).join("")}`)
      expect(issues).toEqual([
        "2:11: name contains a control character (U+0000)",
        "3:11: name contains a control character (U+009B)",
        "4:11: name contains a control character (U+0009)",
        "5:11: name contains a control character (U+0007)"
      ])
    }))

  it.scoped("refuses a name holding an unpaired surrogate, in any YAML style", () =>
    Effect.gen(function*() {
      const issues = yield* rejected('orgs:\n  - name: "Abc\\uD800def"\n  - { name: "Xyz\\uDC00" }\n')
      expect(issues).toEqual([
        "2:11: name contains an unpaired surrogate (U+D800): not text Code42 can store",
        "3:13: name contains an unpaired surrogate (U+DC00): not text Code42 can store"
      ])
    }))

  it.scoped("warns of siblings that differ only by invisible characters, as of those that differ by case", () =>
    Effect.gen(function*() {
      const { result } = yield* loadContent('orgs:\n  - name: Abc\n  - name: "Abc\\u200B"\n  - name: ABC\n')
      if (result._tag === "Left") throw new Error("expected the file to load")
      expect((result.right.warnings ?? []).map((issue) => issue.message)).toEqual([
        'name "Abc\\u200B" differs from its sibling "Abc" (at 2:11) only by invisible characters: likely a mistake',
        'name "ABC" differs from its sibling "Abc" (at 2:11) only by case: likely a mistake'
      ])
    }))

  it.scoped("spells an invisible character in a warning as the plan does", () =>
    Effect.gen(function*() {
      const { result } = yield* loadContent('orgs:\n  - name: "Ab\\u202Ec"\n  - name: Abc\n  - name: "Ab\\u200Dc"\n')
      if (result._tag === "Left") throw new Error("expected the file to load")
      const shown = Printable.printable("Ab\u202Ec")
      expect(shown).toBe("Ab\\u202Ec")
      expect((result.right.warnings ?? []).map((issue) => issue.message)).toEqual([
        `name "Abc" differs from its sibling "${shown}" (at 2:11) only by invisible characters: likely a mistake`,
        `name "${Printable.printable("Ab\u200Dc")}" differs from its sibling "${shown}" (at 2:11) only by invisible ` +
        "characters: likely a mistake"
      ])
    }))

  it.scoped("refuses a file over the size limit without reading it", () =>
    Effect.gen(function*() {
      const issues = yield* rejected(new Uint8Array(DesiredFiles.MaxFileBytes + 1).fill(0x20))
      expect(issues).toEqual([`1:1: the file is too big (${DesiredFiles.MaxFileBytes + 1} bytes; at most 16777216)`])
    }))
})
