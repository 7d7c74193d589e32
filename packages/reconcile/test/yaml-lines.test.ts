import { describe, expect, it } from "@effect/vitest"
import { PCGRandom } from "effect/Utils"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { CST, Lexer } from "yaml"
import * as DesiredYaml from "../src/DesiredYaml.js"
import { eachLine, MaxLineTokens } from "../src/internal/yamlLines.js"
import {
  Comma, Comment, DocStart, DoubleQuoted, FlowEnd, FlowStart, type LineTokens, MapValue, Newline, Plain, SeqItem,
  SingleQuoted, Space
} from "../src/internal/yamlSubset.js"
import { mutate, oddTenant, randomDesired, randomLayout } from "./yaml-random.js"

const limits = { maxTokens: DesiredYaml.MaxTokens, maxNesting: DesiredYaml.MaxNesting }

interface Scan {
  readonly result: "read" | "left" | "too many tokens"
  /** Each line taken: its tokens as kind, offset and text, where the document starts, and where it ends. */
  readonly lines: ReadonlyArray<string>
}

const record = (tokens: LineTokens, lineEnd: number) =>
  JSON.stringify([
    tokens.docOffset,
    lineEnd,
    Array.from({ length: tokens.count }, (_, i) => [tokens.kinds[i], tokens.offsets[i], tokens.sources[i]])
  ])

const scanned = (text: string, maxTokens = limits.maxTokens): Scan => {
  const lines: Array<string> = []
  const result = eachLine(text, { ...limits, maxTokens }, (tokens, lineEnd) => {
    lines.push(record(tokens, lineEnd))
    return true
  })
  return { result, lines }
}

const kinds: Record<string, number> = {
  "\n": Newline,
  "-": SeqItem,
  ":": MapValue,
  "[": FlowStart,
  "]": FlowEnd,
  ",": Comma,
  "---": DocStart
}
const kindByFirst: Record<string, number> = { " ": Space, "#": Comment, "'": SingleQuoted, "\"": DoubleQuoted }

/**
 * The reference: yaml's own Lexer, its lexemes grouped into lines with the same kinds, counted against the
 * same limits. It reads lines the scan leaves; wherever the scan reads a text, both must agree.
 */
const lexed = (text: string, maxTokens = limits.maxTokens): Scan => {
  const lines: Array<string> = []
  const tokens: LineTokens = { kinds: [], sources: [], offsets: [], count: 0, docOffset: -1 }
  let offset = 0
  let count = 0
  let plainNext = false
  for (const lexeme of new Lexer().lex(text)) {
    if (++count > maxTokens) return { result: "too many tokens", lines }
    let kind: number | undefined
    if (plainNext) {
      plainNext = false
      kind = Plain
    } else if (lexeme === CST.SCALAR) {
      plainNext = true
      continue
    } else if (lexeme === CST.DOCUMENT) {
      if (tokens.docOffset !== -1) return { result: "left", lines }
      tokens.docOffset = offset
      continue
    } else {
      kind = kinds[lexeme] ?? kindByFirst[lexeme[0]!]
      if (kind === undefined) return { result: "left", lines }
    }
    const at = tokens.count++
    tokens.kinds[at] = kind
    tokens.sources[at] = lexeme
    tokens.offsets[at] = offset
    offset += lexeme.length
    if (kind === Newline) {
      lines.push(record(tokens, offset))
      tokens.count = 0
    } else if (tokens.count === MaxLineTokens) {
      return { result: "left", lines }
    }
  }
  if (tokens.count > 0) lines.push(record(tokens, offset))
  return { result: "read", lines }
}

/** "read" (the Lexer's lines), "left", "too many tokens" (as the Lexer counts), or what differs. */
const verdict = (text: string, maxTokens?: number): string => {
  const scan = scanned(text, maxTokens)
  if (scan.result === "left") return "left"
  const reference = lexed(text, maxTokens)
  if (scan.result !== reference.result) return `the scan says ${scan.result}, the Lexer ${reference.result}`
  const at = scan.lines.findIndex((line, i) => line !== reference.lines[i])
  if (at !== -1) return `line ${at + 1}: ${scan.lines[at]} vs ${reference.lines[at]}`
  return scan.lines.length === reference.lines.length ? scan.result : `${scan.lines.length} vs ${reference.lines.length} lines`
}

const fixtures = join(import.meta.dirname, "fixtures")

describe("the line scan of the YAML fast paths", () => {
  it("gives yaml's Lexer's lexemes for every line of every fixture it reads", () => {
    const files = readdirSync(fixtures, { recursive: true, encoding: "utf8" })
      .filter((name) => /\.ya?ml$/.test(name))
      .map((name) => join(fixtures, name))
    const verdicts = files.map((file) => [file, verdict(readFileSync(file, "utf8"))])
    expect(verdicts.filter(([, found]) => found !== "read" && found !== "left")).toEqual([])
    expect(verdicts.filter(([, found]) => found === "read").length).toBeGreaterThan(files.length / 2)
  })

  it("reads every file renderImport writes, tenants with odd names included", () => {
    for (let seed = 1; seed <= 12; seed++) {
      const orgs = oddTenant(new PCGRandom(seed), 150)
      expect([seed, verdict(DesiredYaml.renderImport({ rootOrgUid: orgs[0]!.orgUid, orgs }))]).toEqual([seed, "read"])
    }
  })

  it("gives the Lexer's lexemes for random layouts, desired files and edits of them, or leaves them", () => {
    const random = new PCGRandom(20_261)
    const counts = { read: 0, left: 0, mutated: 0 }
    for (let i = 0; i < 6_000; i++) {
      const original = i % 2 === 0 ? randomLayout(random) : randomDesired(random)
      const text = i % 3 === 0 ? mutate(random, original) : original
      const found = verdict(text)
      if (found !== "read" && found !== "left") expect.fail(`${found} for:\n${JSON.stringify(text)}`)
      if (found === "read" && text !== original) counts.mutated++
      counts[found]++
    }
    // Most texts are read; the rest hold what the scan leaves to the Lexer (odd scalars, broken edits).
    expect(counts.read).toBeGreaterThan(3_000)
    expect(counts.left).toBeGreaterThan(300)
    expect(counts.mutated).toBeGreaterThan(300)
  })

  it("reads the constructs people write, as the Lexer does", () => {
    const texts = [
      "orgs:\n  - name: Engineering\n    previously: [Eng, 'R&D', \"Dev\" , x y ]\n",
      "--- # desired state\n# settings\nroot: \"1\"\norgs: []\n",
      "\"root\" : '1'\nk:v: w\na b: c d\nx: -y\nq: ?z\nc: :e\nn: R&D, Ops [x]\n",
      "orgs:\n-   name: Wide   # comment\n    extRef:    \n\n  \n    notes: 'It''s'\n    children:\n    - name: A\n",
      "a: b\n  # a deeper comment\nc: d",
      "- a\n-\n- \n- [x,]\n- [ ]\n"
    ]
    expect(texts.map((text) => verdict(text))).toEqual(texts.map(() => "read"))
  })

  it("leaves a line that the next line might continue, and what it does not read", () => {
    const texts = [
      "a: b\n\n  c: d\n",
      "- x\n  - y\n",
      "- name: A\n c: 1\n",
      "orgs: |\n  text\n",
      "a: &x 1\n",
      "a: !!str 1\n",
      "a: b\n---\nc: d\n",
      "a: b\n...\n",
      "%YAML 1.2\n---\na: b\n",
      "a: [x,\n  y]\n",
      "a: \"x\n  y\"\n",
      "a: {x: 1}\n",
      "? a\n: b\n",
      "a:\tb\n",
      "a: b\r\n",
      "\ufeffa: b\n",
      "a: b: c\n",
      "bare\n",
      "a: \"x\"y\n"
    ]
    expect(texts.map((text) => scanned(text).result)).toEqual(texts.map(() => "left"))
  })

  it("leaves a line at its limit on tokens without reading the rest of it", () => {
    for (const long of ["- ".repeat(200_000), `previously: [${"a,".repeat(200_000)}a]`]) {
      let held: LineTokens | undefined
      const result = eachLine(`a: b\n${long}\n`, limits, (tokens) => {
        held = tokens
        return true
      })
      expect(result).toBe("left")
      // The scan's token arrays, which a line fills, never held more than the limit.
      expect(held!.kinds.length).toBeLessThanOrEqual(MaxLineTokens)
    }
  })

  it("counts lexemes as the Lexer does, markers included", () => {
    const text = "orgs:\n  - name: A\n  - name: B\n"
    const total = [...new Lexer().lex(text)].length
    expect(verdict(text, total)).toBe("read")
    expect(verdict(text, total - 1)).toBe("too many tokens")
    expect(verdict("#\n".repeat(500), 1_000)).toBe("read")
    expect(verdict("#\n".repeat(501), 1_000)).toBe("too many tokens")
  })
})
