/**
 * The command line as a person meets it: help that reads like a Unix tool's (usage from `orgsync <command>`,
 * exit codes, environment, examples, 100 columns, no escape codes off a terminal), every setting in
 * `orgsync --help`, and a mistake told in one sentence with the nearest right word.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Settings from "../../src/Settings.js"
import { orgsync } from "../support/cli.js"

const commands = ["validate", "plan", "apply", "run", "import", "status", "demo", "schema", "version"]

const version = (JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string })
  .version

const escape = "\u001b["

describe.concurrent("orgsync help", () => {
  it.effect("each command's help: usage from orgsync <command>, exit codes, environment, two examples, 100 columns", () =>
    Effect.forEach(commands, (command) =>
      Effect.gen(function*() {
        const help = yield* orgsync([command, "--help"])
        expect(help.code, help.stderr).toBe(0)
        const lines = help.stdout.split("\n")
        expect(lines[0]).toMatch(new RegExp(`^Usage: orgsync ${command}( |$)`))
        for (const heading of ["Flags:", "Exit codes:", "Environment:", "Examples:"]) {
          if (heading === "Flags:" && (command === "schema" || command === "version")) continue
          expect(lines, `${command}: ${heading}`).toContain(heading)
        }
        expect(lines.filter((line) => line.startsWith(`  orgsync ${command}`) || line.startsWith("  orgsync --"))).toHaveLength(2)
        expect(lines.filter((line) => line.length > 100), command).toEqual([])
        expect(help.stdout).not.toContain(escape)
        expect(help.stdout).not.toContain("A user-defined piece of text")
        expect(help.stdout).not.toContain("This setting is optional")
        // The global flags are described once, in orgsync --help.
        expect(help.stdout).not.toMatch(/^\s+--completions/m)
      }), { concurrency: 3 }), 240_000)

  it.effect("orgsync --help lists every setting once, with its flag, environment variable and file key", () =>
    Effect.gen(function*() {
      const help = yield* orgsync(["--help"], { NO_COLOR: "" })
      expect(help.code).toBe(0)
      for (const setting of Object.values(Settings.table)) {
        const line = help.stdout.split("\n").filter((l) => new RegExp(`^  --${setting.flag}\\b`).test(l))
        expect(line, setting.file).toHaveLength(1)
        expect(line[0]!.split(/\s{2,}/).slice(2, 4)).toEqual([setting.env, setting.file])
      }
      expect(help.stdout.match(/--completions/g)).toHaveLength(1)
      expect(help.stdout.split("\n").filter((line) => line.length > 100)).toEqual([])
      expect(help.stdout).not.toContain(escape)
    }), 120_000)

  it.effect("NO_COLOR and TERM=dumb: no escape codes", () =>
    Effect.gen(function*() {
      for (const env of [{ NO_COLOR: "1" }, { TERM: "dumb" }] as ReadonlyArray<Record<string, string>>) {
        const help = yield* orgsync(["plan", "--help"], env)
        expect(help.stdout).not.toContain(escape)
      }
    }), 120_000)

  it.effect("orgsync alone prints a short usage and exits 2", () =>
    Effect.gen(function*() {
      const run = yield* orgsync([])
      expect(run.code).toBe(2)
      expect(run.stdout.split("\n")[0]).toBe("Usage: orgsync <command> [flags]")
      expect(run.stdout.split("\n").length).toBeLessThan(8)
    }), 120_000)

  it.effect("--version and orgsync version print the version and the build", () =>
    Effect.gen(function*() {
      for (const args of [["--version"], ["version"], ["plan", "--version"]]) {
        const run = yield* orgsync(args)
        expect(run.code, args.join(" ")).toBe(0)
        expect(run.stdout).toMatch(new RegExp(`^orgsync ${version.replace(/\./g, "\\.")} \\(build \\S+ \\d{4}-\\d\\d-\\d\\d\\)\\n$`))
      }
    }), 120_000)
})

describe.concurrent("orgsync mistakes", () => {
  it.effect("an unknown flag suggests the nearest one", () =>
    Effect.gen(function*() {
      const run = yield* orgsync(["plan", "--destired", "orgs.yaml"])
      expect(run.code).toBe(1)
      expect(run.stderr.trim()).toBe(
        "orgsync plan: unknown flag --destired (did you mean --desired?). Run orgsync plan --help for its flags."
      )
      const dry = yield* orgsync(["run", "--dryrun"])
      expect(dry.stderr).toContain("unknown flag --dryrun (did you mean --dry-run?)")
    }), 120_000)

  it.effect("a bad choice names the flag and its choices", () =>
    Effect.gen(function*() {
      const run = yield* orgsync(["plan", "--format", "yaml"])
      expect(run.code).toBe(1)
      expect(run.stderr.trim()).toBe("orgsync plan: --format: expected text, markdown or json, got yaml")
      const equals = yield* orgsync(["plan", "--format=yaml"])
      expect(equals.stderr.trim()).toBe("orgsync plan: --format: expected text, markdown or json, got yaml")
    }), 120_000)

  it.effect("an unknown command names the nearest and the commands", () =>
    Effect.gen(function*() {
      const run = yield* orgsync(["plna"])
      expect(run.code).toBe(1)
      expect(run.stderr).toContain("orgsync: unknown command plna (did you mean plan?)")
      expect(run.stderr).not.toContain(escape)
    }), 120_000)

  it.effect("a flag without its value says what it expects", () =>
    Effect.gen(function*() {
      const run = yield* orgsync(["plan", "--out"])
      expect(run.code).toBe(1)
      expect(run.stderr.trim()).toBe("orgsync plan: --out expects a value (FILE)")
    }), 120_000)

  it.effect("a flag followed by another flag instead of its value says what it expects", () =>
    Effect.gen(function*() {
      const run = yield* orgsync(["plan", "--state", "--desired", "orgs.yaml"])
      expect(run.code).toBe(1)
      expect(run.stderr.trim()).toBe("orgsync plan: --state expects a value (FILE), not the flag --desired")
    }), 120_000)

  it.effect("flags of orgsync itself may come before the command's name, and its own flags after it", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-global-"))
      const desired = path.join(dir, "orgs.yaml")
      fs.writeFileSync(desired, "orgs:\n  - name: Engineering\n")
      const before = yield* orgsync(["--log-level", "debug", "--no-color", "validate", "--desired", desired])
      expect([before.code, before.stdout.trim(), before.stderr]).toEqual([0, `${desired}: valid, 1 orgs`, ""])
      const help = yield* orgsync(["--no-color", "validate", "--help"])
      expect(help.stdout.split("\n")[0]).toMatch(/^Usage: orgsync validate /)
      const mistyped = yield* orgsync(["--log-level", "validate", "--desired", desired])
      expect([mistyped.code, mistyped.stderr.trim()]).toEqual([
        1,
        "orgsync: --log-level: expected all, trace, debug, info, warning, error, fatal or none, got validate"
      ])
      const unknown = yield* orgsync(["--no-color", "validate", "--desried", desired])
      expect(unknown.stderr.trim()).toBe(
        "orgsync validate: unknown flag --desried (did you mean --desired?). Run orgsync validate --help for its flags."
      )
    }), 120_000)

  it.effect("an argument a command does not take, or an id it lacks, is told in one sentence", () =>
    Effect.gen(function*() {
      const extra = yield* orgsync(["validate", "--desired", "orgs.yaml", "extra"])
      expect(extra.code).toBe(1)
      expect(extra.stderr.trim()).toBe("orgsync validate: unexpected argument extra: it takes none")
      const version = yield* orgsync(["version", "extra"])
      expect(version.stderr.trim()).toBe("orgsync version: unexpected argument extra: it takes none")
      const approve = yield* orgsync(["approve", "a1", "b2"])
      expect(approve.stderr.trim()).toBe("orgsync approve: unexpected argument b2: it takes at most one id")
      const reject = yield* orgsync(["reject"])
      expect(reject.code).toBe(1)
      expect(reject.stderr.trim()).toBe("orgsync reject: name the held change by its id, as /api/status lists it")
    }), 120_000)
})
