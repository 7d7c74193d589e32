/**
 * Hostile desired files through the built CLI, as a careless or malicious pull request would bring them:
 * huge, deeply nested, alias bombs, binary, wrong encodings, a device, 100,000 siblings, control characters,
 * 10,000-character names. Each is rejected (exit 1, `file:line:column: message` lines, never a stack trace)
 * or handled, within bounded time and memory, and never makes a write. The inputs are generated here.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { credentials } from "../support/cli.js"
import { type Exited, runOrgsync, stackTrace } from "../support/orgsync-process.js"
import { writes } from "../support/request-log.js"
import { start } from "../support/simulator.js"
import { tempDir } from "../support/temp-dir.js"

/** Past these the process is killed: the inputs take seconds and a few hundred MiB at most. */
const deadlineMillis = 60_000
const stop = { deadlineMillis, memoryLimitMib: 2_048 }

interface Limits {
  /** Peak resident memory; the CLI alone takes about 150 MiB. */
  readonly mib: number
}

/** The small inputs are judged before they are parsed in full. */
const small: Limits = { mib: 256 }

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, "utf8"))
const utf16le = (text: string) => new Uint8Array(Buffer.from(text, "utf16le"))
const utf16be = (text: string) => new Uint8Array(Buffer.from(text, "utf16le").swap16())
const latin1 = (text: string) => new Uint8Array(Buffer.from(text, "latin1"))
const orgsYaml = "orgs:\n  - name: Sales\n"

const siblings = (count: number, name: (i: number) => string = (i) => `Org ${String(i).padStart(6, "0")}`) =>
  "orgs:\n" + Array.from({ length: count }, (_, i) => `  - name: ${name(i)}\n`).join("")

const nested = (depth: number) => {
  const level = (i: number) => `${"    ".repeat(i)}  - name: Level ${i}\n${"    ".repeat(i)}    children:\n`
  const bottom = `${"    ".repeat(depth)}  - name: Bottom\n`
  return "orgs:\n" + Array.from({ length: depth }, (_, i) => level(i)).join("") + bottom
}

const aliasBomb = () => {
  const levels = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
  return [
    "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
    ...levels.slice(1).map((level, i) => `${level}: &${level} [${Array(9).fill(`*${levels[i]}`).join(", ")}]`),
    "orgs:\n  - name: Bomb\n    notes: *i"
  ].join("\n")
}

interface Hostile {
  readonly name: string
  readonly content: () => string | Uint8Array
  /** What one of the issues says. */
  readonly says: RegExp
  /** For the inputs at the loader's limits: every org is parsed before it is judged. */
  readonly limits?: Limits
}

const hostile: ReadonlyArray<Hostile> = [
  {
    name: "17 MB of YAML comments",
    content: () => utf8(`# ${"x".repeat(77)}\n`.repeat(17 * 1024 * 1024 / 80)),
    says: /the file is too big/
  },
  { name: "a million open brackets", content: () => `orgs: ${"[".repeat(1_000_000)}`, says: /nested deeper than/ },
  { name: "a million nested block sequences", content: () => "- ".repeat(1_000_000), says: /nested deeper than/ },
  { name: "orgs nested 60 deep", content: () => nested(60), says: /orgs nested deeper than 50 levels/ },
  { name: "an alias bomb", content: aliasBomb, says: /aliases expand too far/ },
  {
    name: "binary",
    content: () => Uint8Array.from({ length: 65_536 }, (_, i) => (i * 7919 + 13) % 256),
    says: /not UTF-8|NUL bytes/
  },
  { name: "UTF-16 LE with a byte-order mark", content: () => utf16le(`\ufeff${orgsYaml}`), says: /UTF-16/ },
  { name: "UTF-16 BE with a byte-order mark", content: () => utf16be(`\ufeff${orgsYaml}`), says: /UTF-16/ },
  { name: "UTF-16 without a byte-order mark", content: () => utf16le(orgsYaml), says: /NUL bytes/ },
  { name: "Latin-1", content: () => latin1("orgs:\n  - name: Zürich\n"), says: /not UTF-8/ },
  {
    name: "control characters in names",
    content: () => `orgs:\n  - name: "Sales\\u0000EMEA"\n  - name: "Bell\u0007Org"\n  - name: "Esc\\u001b[31mRed"\n`,
    says: /control character/
  },
  {
    name: "10,000-character names",
    content: () => `orgs:\n  - name: ${"N".repeat(10_000)}\n`,
    says: /name is too long \(10000 characters\)/
  },
  {
    name: "100,000 siblings with one duplicate",
    content: () => siblings(100_000, (i) => `Org ${String(i === 99_999 ? 7 : i).padStart(6, "0")}`),
    says: /duplicate name "Org 000007"/,
    limits: { mib: 640 }
  }
]

const validate = (file: string) => runOrgsync(["validate", "--desired", file], credentials, stop)

const folder = tempDir("orgsync-hostile-")

/** Every line of stderr is one `file:line:column: message` issue (none is a stack trace). */
const expectIssuesOnly = (stderr: string, files: ReadonlyArray<string>) => {
  const lines = stderr.split("\n").filter((line) => line !== "")
  expect(lines.length).toBeGreaterThan(0)
  for (const line of lines) {
    expect(files.some((file) => line.startsWith(`${file}:`)) && /^.+:\d+:\d+: \S/.test(line), line.slice(0, 300))
      .toBe(true)
  }
  expect(stackTrace.test(stderr)).toBe(false)
}

// Concurrent: most of each test is a process starting up.
describe.concurrent("hostile desired files through the CLI", () => {
  for (const input of hostile) {
    it.scopedLive(`validate rejects ${input.name}, bounded, with file:line:column`, () =>
      Effect.gen(function*() {
        const file = path.join(yield* folder, "orgs.yaml")
        fs.writeFileSync(file, input.content())
        const run = yield* validate(file)
        expect(run.stopped).toBeUndefined()
        expect(run.code, run.stderr.slice(0, 500)).toBe(1)
        expectIssuesOnly(run.stderr, [file])
        expect(run.stderr).toMatch(input.says)
        // A 10,000-character name is not echoed back in full.
        expect(run.stderr.length).toBeLessThan(20_000)
        const limits = input.limits ?? small
        expect(run.peakRssMib).toBeLessThan(limits.mib)
      }), deadlineMillis + 10_000)
  }

  it.scopedLive("validate refuses a device and never reads it", () =>
    Effect.gen(function*() {
      const file = path.join(yield* folder, "orgs.yaml")
      fs.symlinkSync("/dev/urandom", file)
      const run = yield* validate(file)
      expect(run.code).toBe(1)
      expect(run.stderr).toBe(`${file}:1:1: not a regular file\n`)
      expect(run.peakRssMib).toBeLessThan(small.mib)
    }), deadlineMillis + 10_000)

  it.scopedLive("plan of a folder holding every small hostile file reports each one and makes no call", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const dir = yield* folder
      const files = hostile.filter((input) => input.limits === undefined).map((input, i) => {
        const file = path.join(dir, `hostile-${String(i).padStart(2, "0")}.yaml`)
        fs.writeFileSync(file, input.content())
        return file
      })
      // No state database: none at the default path of the folder it runs in.
      const run = yield* runOrgsync(["plan", "--desired", dir, "--url", sim.url], credentials, { ...stop, cwd: yield* folder })
      expect(run.stopped).toBeUndefined()
      expect(run.code).toBe(1)
      expectIssuesOnly(run.stderr, files)
      for (const file of files) expect(run.stderr).toContain(`${file}:`)
      expect(sim.requests()).toEqual([])
      expect(run.peakRssMib).toBeLessThan(small.mib)
    }), deadlineMillis + 10_000)

  it.scopedLive("100,000 valid siblings: validated and planned in bounded time and memory, without a write", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const dir = yield* folder
      const file = path.join(dir, "orgs.yaml")
      fs.writeFileSync(file, siblings(100_000))

      const valid = yield* validate(file)
      expect(valid.code, valid.stderr).toBe(0)
      expect(valid.stdout).toContain("valid, 100000 orgs")
      expect(valid.peakRssMib).toBeLessThan(640)

      const plan = yield* runOrgsync(
        ["plan", "--desired", file, "--url", sim.url, "--format", "markdown"],
        credentials,
        // No state database: none at the default path of `dir`.
        { ...stop, cwd: dir }
      )
      expect(plan.code, plan.stderr).toBe(2)
      // The markdown plan fits a pull-request comment: at most 65,000 characters (and the newline).
      expect(plan.stdout.length).toBeLessThanOrEqual(65_001)
      expect(plan.stdout).toMatch(/100[,.]?000/)
      expect(writes(sim.requests())).toEqual([])
      expect(plan.peakRssMib).toBeLessThan(1_024)
      const figures = (run: Exited) => `${run.millis} ms (${run.peakRssMib.toFixed(0)} MiB peak)`
      console.log(`hostile desired: 100,000 siblings validated in ${figures(valid)}, planned in ${figures(plan)}`)
    }), 2 * deadlineMillis + 10_000)
})
