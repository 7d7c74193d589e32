/**
 * What orgsync says when it cannot do what was asked: one sentence a person can act on, never a stack or
 * Effect's error text, and each error once.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { bin, childEnv, credentials, orgsync, type Run, workspace } from "../support/cli.js"
import { start } from "../support/simulator.js"
import { onTerminal, orgsyncLine } from "../support/terminal.js"

const desiredYaml = "orgs:\n  - name: Engineering\n  - name: Support\n"

/** One line on stderr, with none of the machinery's words in it. */
const oneSentence = (run: Run) => {
  expect(run.code, run.stderr).toBe(1)
  const lines = run.stderr.trim().split("\n")
  expect(lines, run.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^orgsync: /)
  expect(lines[0]).not.toMatch(/FileSystem|Error|BadResource|NotFound|EISDIR|ENOENT|ENOSPC|\.tmp|\s+at /)
  return lines[0]!
}

describe("a bad --out", () => {
  it.scoped("a folder, a link to a folder, a missing folder or a file as the folder: one sentence, before any call", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const folder = path.join(ws.dir, "plans")
      fs.mkdirSync(folder)
      const link = path.join(ws.dir, "plans-link")
      fs.symlinkSync(folder, link)
      const file = path.join(ws.dir, "notes.txt")
      fs.writeFileSync(file, "notes\n")
      const cases = [
        [folder, /plans is a folder/],
        [link, /plans-link is a folder/],
        [path.join(ws.dir, "missing", "plan.json"), /the folder \S+missing does not exist/],
        [path.join(file, "plan.json"), /notes\.txt is not a folder/]
      ] as const
      for (const [out, said] of cases) {
        sim.clearRequests()
        const planned = yield* orgsync(["plan", "--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--out", out])
        expect(oneSentence(planned)).toMatch(said)
        const imported = yield* orgsync(["import", "--state", ws.state, "--url", sim.url, "--out", out])
        expect(oneSentence(imported)).toMatch(said)
        expect(sim.requests(), out).toEqual([])
      }
      expect(fs.lstatSync(link).isSymbolicLink()).toBe(true)
      expect(fs.readdirSync(folder)).toEqual([])
    }), 180_000)

  it.scoped("a special file that cannot take it says why in words; import writes no schema beside a device", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      // A plan with no state database (none at the default path of the workspace), written to a full device.
      const full = yield* orgsync(["plan", "--desired", ws.desired, "--url", sim.url, "--out", "/dev/full"], {}, credentials, ws.dir)
      expect(oneSentence(full)).toBe("orgsync: cannot write /dev/full: no space left on device")

      const beside = "/dev/orgs.schema.json"
      const there = fs.existsSync(beside)
      yield* Effect.addFinalizer(() => Effect.sync(() => there || fs.rmSync(beside, { force: true })))
      const discarded = yield* orgsync(["import", "--state", ws.state, "--url", sim.url, "--out", "/dev/null"])
      expect(discarded.code, discarded.stderr).toBe(0)
      expect(fs.existsSync(beside)).toBe(there)
    }), 120_000)
})

describe("plan --format markdown on files that do not validate", () => {
  it.scoped("prints each error once on a terminal", () =>
    Effect.gen(function*() {
      const ws = workspace("orgs:\n  - name: Engineering\n    bogus: 1\n")
      const terminal = yield* onTerminal(
        orgsyncLine(["plan", "--desired", ws.desired, "--state", ws.state, "--format", "markdown"]),
        {}
      )
      const run = yield* terminal.exited
      expect(run.code).toBe(1)
      expect(run.screen).toContain("do not validate")
      expect(run.screen.split("unknown key \"bogus\"")).toHaveLength(2)
    }), 60_000)
})

describe("status without --desired", () => {
  it.scoped("says that the default desired file is missing and how to name one", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const applied = yield* orgsync(["apply", "--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--yes"])
      expect(applied.code, applied.stderr).toBe(0)
      const elsewhere = fs.mkdtempSync(path.join(ws.dir, "cwd-"))
      const status = yield* Effect.async<Run>((resume) => {
        execFile(
          process.execPath,
          [bin, "status", "--state", ws.state],
          { cwd: elsewhere, env: childEnv({}) },
          (error, stdout, stderr) =>
            resume(Effect.succeed({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }))
        )
      })
      expect(status.code, status.stderr).toBe(0)
      expect(status.stderr).toBe("")
      expect(status.stdout).toContain("Pending: unknown, config/orgs.yaml does not exist")
      expect(status.stdout).toContain("--desired")
      expect(status.stdout).not.toContain("does not validate")
    }), 60_000)
})

describe("an installation missing part of its bundle", () => {
  it.effect("a command whose module cannot load says so in one line on stderr and exits 1", () =>
    Effect.gen(function*() {
      // A copy of the installed command, its validate module removed.
      const home = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "orgsync-broken-"))
      const daemon = path.dirname(path.dirname(bin))
      fs.cpSync(path.join(daemon, "bin"), path.join(home, "bin"), { recursive: true })
      fs.cpSync(path.join(daemon, "bundle"), path.join(home, "bundle"), { recursive: true })
      fs.copyFileSync(path.join(daemon, "package.json"), path.join(home, "package.json"))
      fs.symlinkSync(path.resolve(daemon, "../../node_modules"), path.join(home, "node_modules"))
      for (const file of fs.readdirSync(path.join(home, "bundle")).filter((name) => name.startsWith("validate-"))) {
        fs.rmSync(path.join(home, "bundle", file))
      }
      const ws = workspace(desiredYaml)
      const run = yield* Effect.async<Run>((resume) => {
        execFile(process.execPath, [path.join(home, "bin", "orgsync.js"), "validate", "--desired", ws.desired], {
          env: childEnv({})
        }, (error, stdout, stderr) => resume(Effect.succeed({ code: error === null ? 0 : Number(error.code), stdout, stderr })))
      })
      expect(run.code, run.stderr).toBe(1)
      const lines = run.stderr.trim().split("\n")
      expect(lines, run.stderr).toHaveLength(1)
      expect(lines[0]).toMatch(/^orgsync: .*validate-/)
    }))
})
