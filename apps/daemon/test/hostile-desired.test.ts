/**
 * Hostile desired files through the built CLI, as a careless or malicious pull request would bring them:
 * huge, deeply nested, alias bombs, binary, wrong encodings, a device, 100,000 siblings, control characters,
 * 10,000-character names. Each is rejected (exit 1, `file:line:column: message` lines, never a stack trace)
 * or handled, within bounded time and memory, and never makes a write. The inputs are generated here.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { credentials } from "./support/cli.js"
import { runOrgsync, stackTrace } from "./support/orgsyncProcess.js"
import { writes } from "./support/requestLog.js"
import { start } from "./support/simulator.js"

/** Generous for a loaded CI machine: the work itself takes a fraction of it. */
const deadlineMillis = 30_000
const rejectedWithinMillis = 15_000
const peakRssMib = 400

const bytes = (text: string) => new Uint8Array(Buffer.from(text, "utf8"))
const siblings = (count: number, name: (i: number) => string = (i) => `Org ${String(i).padStart(6, "0")}`) =>
  "orgs:\n" + Array.from({ length: count }, (_, i) => `  - name: ${name(i)}\n`).join("")

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
}

const hostile: ReadonlyArray<Hostile> = [
  {
    name: "17 MB of YAML comments",
    content: () => bytes(`# ${"x".repeat(77)}\n`.repeat(17 * 1024 * 1024 / 80)),
    says: /the file is too big/
  },
  { name: "200,001 orgs", content: () => siblings(200_001), says: /more than 200000 orgs in one file/ },
  { name: "a million open brackets", content: () => `orgs: ${"[".repeat(1_000_000)}`, says: /nested deeper than/ },
  { name: "a million nested block sequences", content: () => "- ".repeat(1_000_000), says: /nested deeper than/ },
  {
    name: "orgs nested 60 deep",
    content: () =>
      "orgs:\n" + Array.from({ length: 60 }, (_, i) => `${"    ".repeat(i)}  - name: Level ${i}\n${"    ".repeat(i)}    children:\n`).join("") +
      `${"    ".repeat(60)}  - name: Bottom\n`,
    says: /orgs nested deeper than 50 levels/
  },
  { name: "an alias bomb", content: aliasBomb, says: /aliases expand too far/ },
  { name: "random binary", content: () => Uint8Array.from({ length: 65_536 }, (_, i) => (i * 7919 + 13) % 256), says: /not UTF-8|NUL bytes/ },
  { name: "UTF-16 LE with a byte-order mark", content: () => new Uint8Array(Buffer.from("\ufefforgs:\n  - name: Sales\n", "utf16le")), says: /UTF-16/ },
  {
    name: "UTF-16 BE with a byte-order mark",
    content: () => new Uint8Array(Buffer.from("\ufefforgs:\n  - name: Sales\n", "utf16le").swap16()),
    says: /UTF-16/
  },
  { name: "UTF-16 without a byte-order mark", content: () => new Uint8Array(Buffer.from("orgs:\n  - name: Sales\n", "utf16le")), says: /NUL bytes/ },
  { name: "Latin-1", content: () => new Uint8Array(Buffer.from("orgs:\n  - name: Zürich\n", "latin1")), says: /not UTF-8/ },
  {
    name: "control characters in names",
    content: () => `orgs:\n  - name: "Sales\\u0000EMEA"\n  - name: "Bell\u0007Org"\n  - name: "Esc\\u001b[31mRed"\n`,
    says: /control character/
  },
  { name: "10,000-character names", content: () => `orgs:\n  - name: ${"N".repeat(10_000)}\n`, says: /name is too long \(10000 characters\)/ },
  {
    name: "100,000 siblings with one duplicate",
    content: () => siblings(100_000, (i) => `Org ${String(i === 99_999 ? 7 : i).padStart(6, "0")}`),
    says: /duplicate name "Org 000007"/
  }
]

const folder = () => fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-hostile-"))

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

describe("hostile desired files through the CLI", () => {
  for (const input of hostile) {
    it.scopedLive(`validate rejects ${input.name}, bounded, with file:line:column`, () =>
      Effect.gen(function*() {
        const file = path.join(folder(), "orgs.yaml")
        fs.writeFileSync(file, input.content())
        const run = yield* runOrgsync(["validate", "--desired", file], credentials, { deadlineMillis })
        expect(run.hung).toBe(false)
        expect(run.code, run.stderr.slice(0, 500)).toBe(1)
        expectIssuesOnly(run.stderr, [file])
        expect(run.stderr).toMatch(input.says)
        // A 10,000-character name is not echoed back in full.
        expect(run.stderr.length).toBeLessThan(20_000)
        expect(run.millis).toBeLessThan(rejectedWithinMillis)
        expect(run.peakRssMib).toBeLessThan(peakRssMib)
      }), deadlineMillis + 10_000)
  }

  it.scopedLive("validate refuses a device and never reads it", () =>
    Effect.gen(function*() {
      const file = path.join(folder(), "orgs.yaml")
      fs.symlinkSync("/dev/urandom", file)
      const run = yield* runOrgsync(["validate", "--desired", file], credentials, { deadlineMillis })
      expect(run.code).toBe(1)
      expect(run.stderr).toBe(`${file}:1:1: not a regular file\n`)
      expect(run.millis).toBeLessThan(rejectedWithinMillis)
    }), deadlineMillis + 10_000)

  it.scopedLive("plan of a folder holding every hostile file reports each one and makes no call", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const dir = folder()
      const files = hostile.map((input, i) => {
        const file = path.join(dir, `hostile-${String(i).padStart(2, "0")}.yaml`)
        fs.writeFileSync(file, input.content())
        return file
      })
      const state = path.join(folder(), "state.db")
      const run = yield* runOrgsync(
        ["plan", "--desired", dir, "--state", state, "--url", sim.url],
        credentials,
        { deadlineMillis }
      )
      expect(run.hung).toBe(false)
      expect(run.code).toBe(1)
      expectIssuesOnly(run.stderr, files)
      for (const file of files) expect(run.stderr).toContain(`${file}:`)
      expect(sim.requests()).toEqual([])
      expect(run.millis).toBeLessThan(rejectedWithinMillis * 2)
      expect(run.peakRssMib).toBeLessThan(peakRssMib * 2)
    }), 2 * deadlineMillis + 10_000)

  it.scopedLive("100,000 valid siblings: validated and planned in bounded time and memory, without a write", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const dir = folder()
      const file = path.join(dir, "orgs.yaml")
      fs.writeFileSync(file, siblings(100_000))

      const valid = yield* runOrgsync(["validate", "--desired", file], credentials, { deadlineMillis })
      expect(valid.code, valid.stderr).toBe(0)
      expect(valid.stdout).toContain("valid, 100000 orgs")
      expect(valid.millis).toBeLessThan(rejectedWithinMillis)
      expect(valid.peakRssMib).toBeLessThan(peakRssMib)

      const plan = yield* runOrgsync(
        ["plan", "--desired", file, "--state", path.join(dir, "state.db"), "--url", sim.url, "--format", "markdown"],
        credentials,
        { deadlineMillis }
      )
      expect(plan.code, plan.stderr).toBe(2)
      // A pull-request comment holds at most 65,536 characters.
      expect(plan.stdout.length).toBeLessThanOrEqual(65_001)
      expect(plan.stdout).toMatch(/100[,.]?000/)
      expect(writes(sim.requests())).toEqual([])
      expect(plan.millis).toBeLessThan(deadlineMillis)
      expect(plan.peakRssMib).toBeLessThan(2 * peakRssMib)
      console.log(
        `hostile desired: 100,000 siblings validated in ${valid.millis} ms (${valid.peakRssMib.toFixed(0)} MiB peak), ` +
          `planned in ${plan.millis} ms (${plan.peakRssMib.toFixed(0)} MiB peak)`
      )
    }), 2 * deadlineMillis + 10_000)
})
