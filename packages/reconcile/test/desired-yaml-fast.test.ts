import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { PCGRandom } from "effect/Utils"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { isDeepStrictEqual } from "node:util"
import { Composer, type Document, isMap, isPair, isScalar, isSeq, LineCounter, Parser } from "yaml"
import * as DesiredFiles from "../src/DesiredFiles.js"
import * as DesiredYaml from "../src/DesiredYaml.js"
import * as DesiredEntry from "../src/internal/desiredEntry.js"
import * as EntriesFast from "../src/internal/entriesFast.js"
import * as YamlFast from "../src/internal/yamlFast.js"
import { mutate, oddTenant, randomDesired, randomLayout } from "./yaml-random.js"

const limits = { maxTokens: DesiredYaml.MaxTokens, maxNesting: DesiredYaml.MaxNesting }
const fast = (text: string) => YamlFast.compose(text, DesiredYaml.yamlOptions, limits)

/** The full path's documents: yaml's parser and composer, with the options desired files are read with. */
const composed = (text: string) =>
  [...new Composer(DesiredYaml.yamlOptions).compose(new Parser().parse(text), true, text.length)]

const rangeOf = (node: unknown): string => JSON.stringify((node as { range?: unknown }).range)

/** Where two node trees differ (kinds, ranges, scalar values and forms, flow), or `undefined`. */
const difference = (expected: unknown, actual: unknown, path: string): string | undefined => {
  if (expected === null || actual === null) return expected === actual ? undefined : `${path}: ${expected} vs ${actual}`
  if (rangeOf(expected) !== rangeOf(actual)) return `${path}: range ${rangeOf(expected)} vs ${rangeOf(actual)}`
  if (isScalar(expected)) {
    if (!isScalar(actual)) return `${path}: a scalar vs another node`
    for (const field of ["value", "type", "source", "format", "tag", "minFractionDigits"] as const) {
      if (!Object.is(expected[field], actual[field])) {
        return `${path}: ${field} ${String(expected[field])} vs ${String(actual[field])}`
      }
    }
    return undefined
  }
  if (isMap(expected) || isSeq(expected)) {
    if (!(isMap(actual) || isSeq(actual)) || isMap(expected) !== isMap(actual)) return `${path}: collection kinds`
    if (Boolean(expected.flow) !== Boolean(actual.flow)) return `${path}: flow`
    if (expected.items.length !== actual.items.length) {
      return `${path}: ${expected.items.length} items vs ${actual.items.length}`
    }
    for (let i = 0; i < expected.items.length; i++) {
      const [item, other] = [expected.items[i], actual.items[i]]
      const found = isPair(item) && isPair(other)
        ? difference(item.key, other.key, `${path}.${i}.key`) ?? difference(item.value, other.value, `${path}.${i}`)
        : difference(item, other, `${path}[${i}]`)
      if (found !== undefined) return found
    }
    return undefined
  }
  return `${path}: an unexpected node ${String(expected)}`
}

const jsonOf = (document: Document) =>
  JSON.stringify(document.toJS(), (_, value) => (typeof value === "bigint" ? `${value}n` : value))

/** "declined", "same" (the full path's document), or what differs. */
const verdict = (text: string): string => {
  const document = fast(text)
  if (document === undefined) return "declined"
  const documents = composed(text)
  if (documents.length !== 1) return `the full path finds ${documents.length} documents`
  const expected = documents[0]!
  const problems = [...expected.errors, ...expected.warnings]
  if (problems.length > 0) return `the full path reports: ${problems[0]!.message}`
  if (rangeOf(expected) !== rangeOf(document)) return `document range ${rangeOf(expected)} vs ${rangeOf(document)}`
  return difference(expected.contents, document.contents, "$") ??
    (jsonOf(expected) === jsonOf(document) ? "same" : "toJS differs")
}

/** Every YAML file under `dir`, at any depth. */
const yamlFiles = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => join(dir, name))
    .sort()

const fixtures = join(import.meta.dirname, "fixtures")

describe("YamlFast.compose", () => {
  it("gives the full path's document for every fixture, or declines it", () => {
    const files = [...yamlFiles(fixtures), join(import.meta.dirname, "../../../config/orgs.yaml")]
    const verdicts = new Map(files.map((file) => [file, verdict(readFileSync(file, "utf8"))]))
    for (const [file, found] of verdicts) expect([file, found]).toEqual([file, expect.stringMatching(/^(same|declined)$/)])
    // Files in the subset are taken; block scalars, aliases, tabs and second documents are left to the full path.
    const of = (name: string) => verdicts.get(join(fixtures, name))
    expect(["valid/inheritance.yaml", "valid/folder/base.yaml", "invalid/duplicate-key.yaml"].map(of)).toEqual([
      "same",
      "same",
      "same"
    ])
    expect(
      ["valid/fields.yaml", "valid/aliases.yaml", "invalid/syntax-tab-indent.yaml", "invalid/multiple-documents.yaml"]
        .map(of)
    ).toEqual(["declined", "declined", "declined", "declined"])
    expect([...verdicts.values()].filter((found) => found === "same").length).toBeGreaterThan(files.length / 2)
  })

  it("takes what renderImport writes for tenants with odd names, to the same document", () => {
    for (let seed = 1; seed <= 12; seed++) {
      const orgs = oddTenant(new PCGRandom(seed), 150)
      const text = DesiredYaml.renderImport({ rootOrgUid: orgs[0]!.orgUid, orgs })
      expect([seed, verdict(text)]).toEqual([seed, "same"])
    }
  })

  it("gives the full path's document for random layouts, or declines them", () => {
    const random = new PCGRandom(20_251)
    const counts = { same: 0, declined: 0, mutated: 0 }
    for (let i = 0; i < 3_000; i++) {
      const layout = randomLayout(random)
      const text = i % 4 === 0 ? mutate(random, layout) : layout
      const found = verdict(text)
      if (found !== "same" && found !== "declined") expect.fail(`${found} for:\n${text}`)
      if (text !== layout && found === "same") counts.mutated++
      counts[found]++
    }
    // Both outcomes are common (odd scalars often make invalid YAML), and some edits keep a text in the subset.
    expect(counts.same).toBeGreaterThan(1_000)
    expect(counts.declined).toBeGreaterThan(1_000)
    expect(counts.mutated).toBeGreaterThan(50)
  })

  it("takes the constructs of the subset", () => {
    const texts = [
      "orgs:\n  - name: Engineering\n    previously: [Eng, 'R&D', \"Dev\"]\n",
      "orgs:\n- name: Engineering\n  children:\n  - name: Platform\n",
      "---\n# settings\nroot: \"1007759454961904673\"\nprune: report\n",
      "--- # desired state\norgs: []\n",
      "orgs:\n  -   name: Wide\n      extRef: W-1   # trailing comment\n\n\n",
      "orgs:\n  - name: A\n    # indented comment\n# column 0 comment\n  - name: B\n      # deeper comment\n",
      "\"root\" : '1'\nprune: deactivate",
      "orgs:\n  - name: 'It''s'\n    notes: \"Tab\\there \\u00e9\"\n    uid: 0x1F\n    protect: true\n    status: ~\n"
    ]
    expect(texts.map(verdict)).toEqual(texts.map(() => "same"))
  })

  it("declines everything outside the subset", () => {
    const texts = [
      "orgs: &all\n  - name: A\n",
      "orgs:\n  - name: A\n    children: *all\n",
      "orgs: !!seq\n  - name: A\n",
      "orgs:\n  - name: A\n    notes: |\n      Two\n      lines\n",
      "orgs:\n  - name: A\n    notes: >\n      folded\n",
      "orgs:\n  - {name: A}\n",
      "orgs:\n  - name: A\n    notes: one\n      two\n",
      "orgs:\n  - name: \"A\n    B\"\n",
      "? orgs\n: []\n",
      "%YAML 1.2\n---\norgs: []\n",
      "orgs: []\n---\norgs: []\n",
      "orgs: []\n...\n",
      "orgs:\n\t- name: A\n",
      "orgs: []\r\n",
      "  orgs: []\n",
      "- name: A\n",
      "orgs:\n  - name: A\n   extRef: B\n",
      "orgs:\n  -\n    name: A\n",
      "orgs:\n  - - A\n",
      "orgs:\n  - name:\n",
      "orgs:\n",
      "orgs: [A, [B]]\n",
      "orgs: [A,\n  B]\n",
      "orgs: [A, ]\n",
      "orgs: [a: b]\n",
      "notes: \"x\"# no space\n",
      "notes: @at\n",
      "notes: \"bad \\q escape\"\n",
      "# only a comment\n",
      "",
      `${"k".repeat(1_100)}: long key\n`,
      `orgs: [${Array.from({ length: 600 }, (_, i) => `O${i}`).join(", ")}]\n`
    ]
    expect(texts.map((text) => [text, fast(text)])).toEqual(texts.map((text) => [text, undefined]))
  })

  it("declines text past the full path's limits", () => {
    const text = "orgs:\n  - name: A\n  - name: B\n"
    const options = DesiredYaml.yamlOptions
    expect(YamlFast.compose(text, options, { maxTokens: 1_000, maxNesting: 128 })).toBeDefined()
    expect(YamlFast.compose(text, options, { maxTokens: 20, maxNesting: 128 })).toBeUndefined()
    const nested = Array.from({ length: 10 }, (_, i) => `${" ".repeat(i * 2)}k${i}:\n`).join("") + `${" ".repeat(20)}v: 1\n`
    expect(YamlFast.compose(nested, options, { maxTokens: 1_000, maxNesting: 128 })).toBeDefined()
    expect(YamlFast.compose(nested, options, { maxTokens: 1_000, maxNesting: 12 })).toBeUndefined()
  })
})

/** "declined", "same" (the entries decoded through the document, which reports nothing), or what differs. */
const entriesVerdict = (text: string): string => {
  const entries = EntriesFast.decode("orgs.yaml", text)
  if (entries === undefined || entries === EntriesFast.TooManyTokens) return "declined"
  const expected = DesiredEntry.decodeDocument("orgs.yaml", text)
  if (expected.issues.length > 0) return `the document path reports: ${expected.issues[0]!.message}`
  return isDeepStrictEqual(entries, expected) ? "same" : `entries differ: ${JSON.stringify([entries, expected])}`
}

describe("EntriesFast.decode", () => {
  it("gives the document path's entries for every fixture, or declines it", () => {
    const files = [...yamlFiles(fixtures), join(import.meta.dirname, "../../../config/orgs.yaml")]
    const verdicts = new Map(files.map((file) => [file, entriesVerdict(readFileSync(file, "utf8"))]))
    for (const [file, found] of verdicts) expect([file, found]).toEqual([file, expect.stringMatching(/^(same|declined)$/)])
    const of = (name: string) => verdicts.get(join(fixtures, name))
    expect(["valid/inheritance.yaml", "valid/folder/base.yaml", "invalid/duplicate-key.yaml"].map(of)).toEqual([
      "same",
      "same",
      "declined"
    ])
  })

  it("takes what renderImport writes for tenants with odd names, to the same entries", () => {
    for (let seed = 1; seed <= 12; seed++) {
      const orgs = oddTenant(new PCGRandom(seed), 150)
      const text = DesiredYaml.renderImport({ rootOrgUid: orgs[0]!.orgUid, orgs })
      expect([seed, entriesVerdict(text)]).toEqual([seed, "same"])
    }
  })

  it("gives the document path's entries for random desired files, or declines them", () => {
    const random = new PCGRandom(20_252)
    const counts = { same: 0, declined: 0, mutated: 0 }
    for (let i = 0; i < 3_000; i++) {
      const desired = randomDesired(random)
      const text = i % 4 === 0 ? mutate(random, desired) : desired
      const found = entriesVerdict(text)
      if (found !== "same" && found !== "declined") expect.fail(`${found} for:\n${text}`)
      if (text !== desired && found === "same") counts.mutated++
      counts[found]++
    }
    expect(counts.same).toBeGreaterThan(1_000)
    expect(counts.declined).toBeGreaterThan(500)
    expect(counts.mutated).toBeGreaterThan(25)
  })

  it("declines a file with anything to report, and what is outside its subset", () => {
    const texts = [
      "orgs:\n  - name: A\n",
      "orgs:\n  - name: Sales\n    colour: red\n",
      "orgs:\n  - name: Sales\n    name: Ops\n",
      "orgs:\n  - uid: \"1\"\n",
      "orgs:\n  - name: Sales\n    status: paused\n",
      "orgs:\n  - name: Sales\n    uid: 1007759454961904673\n",
      "orgs:\n  - name: Sales\n    notes:\n",
      "orgs:\n  - name: Sales\n    children: Ops\n",
      "orgs:\n  - name: Sales\n    previously: [Sales, 12]\n",
      "orgs: [Sales]\n",
      "orgs:\n",
      "orgs: Sales\n",
      "root: 1\norgs: []\n",
      "prune: never\norgs: []\n",
      "orgs: &all\n  - name: Sales\n",
      "orgs:\n  - name: Sales\n    notes: |\n      Two\n      lines\n",
      "orgs:\n  - {name: Sales}\n",
      "orgs:\n  - name: Sales\n   extRef: B\n",
      "- name: Sales\n",
      "# only a comment\n",
      "",
      Array.from({ length: 52 }, (_, i) => `${" ".repeat(i * 4)}- name: Level ${i}\n${" ".repeat(i * 4 + 2)}children:\n`)
        .join("").replace(/^/, "orgs:\n").replace(/children:\n$/, "uid: \"1\"\n")
    ]
    expect(texts.map((text) => [text, EntriesFast.decode("orgs.yaml", text)])).toEqual(texts.map((text) => [text, undefined]))
  })

  it("says when a file is past the limit on tokens, which only the full path reports", () => {
    expect(EntriesFast.decode("orgs.yaml", "#\n".repeat(DesiredYaml.MaxTokens / 2 + 1))).toBe(EntriesFast.TooManyTokens)
    expect(EntriesFast.decode("orgs.yaml", "#\n".repeat(DesiredYaml.MaxTokens / 2 - 1))).toBeUndefined()
  })
})

describe("DesiredYaml.parse on the fast path", () => {
  it("locates every offset as the full path does", () => {
    const orgs = oddTenant(new PCGRandom(7), 40)
    const text = `# header\n\n${DesiredYaml.renderImport({ rootOrgUid: orgs[0]!.orgUid, orgs })}\n  # trailing\n`
    expect(fast(text)).toBeDefined()
    const parsed = DesiredYaml.parse("orgs.yaml", text)
    const lines = new LineCounter()
    Array.from(new Parser(lines.addNewLine).parse(text))
    const offsets = Array.from({ length: text.length + 1 }, (_, offset) => offset)
    expect(offsets.map(parsed.locate)).toEqual(offsets.map((offset) => {
      const { col, line } = lines.linePos(offset)
      return { file: "orgs.yaml", line, column: col }
    }))
  })
})

/** An `orgsync import` of 100,000 orgs: 100 departments of 999 teams, as renderImport lays them out. */
const largeImport = (): string => {
  const uid = (id: number) => `"10077594549619${String(id).padStart(5, "0")}"`
  const lines = ["# yaml-language-server: $schema=./orgs.schema.json", "", `root: ${uid(0)}`, "orgs:"]
  let id = 1
  for (let d = 0; d < 100; d++) {
    lines.push(`  - name: Department ${d}`, `    uid: ${uid(id++)}`, `    extRef: DEPT-${d}`)
    if (d % 10 === 0) lines.push("    status: blocked")
    lines.push("    children:")
    for (let t = 0; t < 999; t++) {
      lines.push(`      - name: ${t % 7 === 0 ? `"Team: ${d}/${t} #${t}"` : `Team ${d}-${t}`}`, `        uid: ${uid(id++)}`)
      lines.push(`        extRef: EXT-${d}-${t}`)
      if (t % 3 === 0) lines.push(`        notes: Cost centre ${t}`)
      if (d % 10 === 0 && t % 5 === 0) {
        lines.push("        status: blocked # active in Code42, which a file cannot express below a blocked parent")
      }
    }
  }
  return `${lines.join("\n")}\n`
}

layer(NodeFileSystem.layer)("DesiredFiles.load of a large import", (it) => {
  it.scoped("loads 100,000 orgs on the fast path", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-large-" })
      const text = largeImport()
      yield* fs.writeFileString(`${dir}/orgs.yaml`, text)
      const rssBefore = process.memoryUsage.rss()
      const started = performance.now()
      const state = yield* DesiredFiles.load(`${dir}/orgs.yaml`)
      const millis = performance.now() - started
      const peakRss = process.resourceUsage().maxRSS * 1024
      console.log(
        `DesiredFiles.load of a ${(text.length / 1_048_576).toFixed(1)} MiB import of 100,000 orgs: ` +
          `${Math.round(millis)} ms; RSS ${Math.round(rssBefore / 1_048_576)} MiB before, ` +
          `peak ${Math.round(peakRss / 1_048_576)} MiB`
      )
      // Measured first: the check builds a second document.
      expect(fast(text)).toBeDefined()
      expect(EntriesFast.decode(`${dir}/orgs.yaml`, text)).toBeDefined()
      expect(state.orgs).toHaveLength(100)
      expect(state.orgs.reduce((sum, org) => sum + 1 + org.children.length, 0)).toBe(100_000)
      const department = state.orgs[10]!
      const team = department.children[7]!
      expect([department.name, department.status, team.name, team.uid, team.status]).toEqual([
        "Department 10",
        "blocked",
        "Team: 10/7 #7",
        "1007759454961910009",
        "blocked"
      ])
      const line = text.split("\n").indexOf("      - name: \"Team: 10/7 #7\"") + 1
      expect(team.location).toEqual({ file: `${dir}/orgs.yaml`, line, column: 9 })
    }), 120_000)
})
