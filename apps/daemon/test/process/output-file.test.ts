/**
 * `plan --out` and `import --out`: never over a desired file, the state database (or a file beside it) or the
 * settings file (also through a symbolic or a hard link), never through a symbolic link, and written whole (no
 * temporary file left behind).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { start } from "../support/simulator.js"

const desiredYaml = "orgs:\n  - name: Engineering\n  - name: Support\n"

describe("--out", () => {
  it.scoped("plan --out refuses the desired file, a symbolic or hard link to it, and a YAML file in the desired folder", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      const symlink = path.join(ws.dir, "plan-link.json")
      fs.symlinkSync(ws.desired, symlink)
      const hardlink = path.join(ws.dir, "plan-hard.json")
      fs.linkSync(ws.desired, hardlink)
      for (const out of [ws.desired, symlink, hardlink]) {
        const run = yield* orgsync(["plan", ...common, "--format", "json", "--out", out])
        expect(run.code, out).toBe(1)
        expect(run.stderr).toContain(`--out ${out} is the desired file`)
        expect(fs.readFileSync(ws.desired, "utf8")).toBe(desiredYaml)
      }

      const folder = path.join(ws.dir, "desired")
      fs.mkdirSync(folder)
      fs.copyFileSync(ws.desired, path.join(folder, "orgs.yaml"))
      const inFolder = path.join(folder, "plan.yaml")
      const run = yield* orgsync(["plan", "--desired", folder, "--state", ws.state, "--url", sim.url, "--out", inFolder])
      expect(run.code).toBe(1)
      expect(run.stderr).toContain("would read it as a desired file")
      expect(fs.existsSync(inFolder)).toBe(false)
    }), 120_000)

  it.scoped("plan --out and import --out refuse the state database, its journal, and the settings file", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const settingsFile = path.join(ws.dir, "orgsync.yaml")
      fs.writeFileSync(settingsFile, `url: ${sim.url}\nallowInsecureHttp: true\nstate: ${ws.state}\n`)
      const settings = ["--config", settingsFile]
      const applied = yield* orgsync(["apply", ...settings, "--desired", ws.desired, "--yes"])
      expect(applied.code, applied.stderr).toBe(0)
      const database = fs.readFileSync(ws.state)
      const settingsText = fs.readFileSync(settingsFile, "utf8")
      const link = path.join(ws.dir, "plan-link.json")
      fs.symlinkSync(ws.state, link)
      const journal = `${ws.state}-wal`
      fs.writeFileSync(journal, "")
      const refusals: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["plan", "--desired", ws.desired, "--format", "json", "--out", ws.state], `the state database ${ws.state}`],
        [["plan", "--desired", ws.desired, "--out", link], `the state database ${ws.state}`],
        [["plan", "--desired", ws.desired, "--out", journal], `the state database's journal ${journal}`],
        [["plan", "--desired", ws.desired, "--out", `${ws.state}.lock`], `the state database's lock ${ws.state}.lock`],
        [["plan", "--desired", ws.desired, "--out", `${ws.state}-shm`], `the state database's journal ${ws.state}-shm`],
        [["plan", "--desired", ws.desired, "--out", settingsFile], `the settings file ${settingsFile}`],
        [["import", "--out", ws.state], `the state database ${ws.state}`],
        [["import", "--out", settingsFile], `the settings file ${settingsFile}`]
      ]
      for (const [args, what] of refusals) {
        const run = yield* orgsync([...args, ...settings])
        expect(run.code, args.join(" ")).toBe(1)
        expect(run.stderr).toContain(`is ${what}: refusing to write over it`)
        expect(fs.readFileSync(ws.state).equals(database)).toBe(true)
        expect(fs.readFileSync(settingsFile, "utf8")).toBe(settingsText)
      }
      expect(fs.readdirSync(ws.dir).filter((name) => name.endsWith(".tmp"))).toEqual([])
      expect(fs.existsSync(`${ws.state}.lock`) || fs.existsSync(`${ws.state}-shm`)).toBe(false)
    }), 120_000)

  it.scoped("plan --out replaces a symbolic link instead of writing through it, and leaves no temporary file", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const elsewhere = path.join(ws.dir, "elsewhere.txt")
      fs.writeFileSync(elsewhere, "not a plan\n")
      const out = path.join(ws.dir, "plan.json")
      fs.symlinkSync(elsewhere, out)
      // A plan with no state database (none at the default path of the workspace).
      const run = yield* orgsync(
        ["plan", "--desired", ws.desired, "--url", sim.url, "--format", "json", "--out", out],
        {},
        credentials,
        ws.dir
      )
      expect(run.code, run.stderr).toBe(2)
      expect(fs.readFileSync(elsewhere, "utf8")).toBe("not a plan\n")
      expect(fs.lstatSync(out).isSymbolicLink()).toBe(false)
      expect(JSON.parse(fs.readFileSync(out, "utf8"))).toMatchObject({ formatVersion: 1 })
      expect(fs.readdirSync(ws.dir).filter((name) => name.startsWith("."))).toEqual([])
    }), 120_000)

  it.scoped("import --out replaces a symbolic link instead of writing through it", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const elsewhere = path.join(ws.dir, "elsewhere.txt")
      fs.writeFileSync(elsewhere, "keep\n")
      const out = path.join(ws.dir, "imported.yaml")
      fs.symlinkSync(elsewhere, out)
      const run = yield* orgsync(["import", "--state", ws.state, "--url", sim.url, "--out", out])
      expect(run.code, run.stderr).toBe(0)
      expect(fs.readFileSync(elsewhere, "utf8")).toBe("keep\n")
      expect(fs.readFileSync(out, "utf8")).toContain("uid:")
      expect(fs.readdirSync(ws.dir).filter((name) => name.startsWith("."))).toEqual([])
    }), 120_000)
})
