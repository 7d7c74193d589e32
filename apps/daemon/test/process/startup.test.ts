/**
 * A quick command loads only what it uses: `orgsync --version` nothing but the version, `orgsync validate`
 * no state database, HTTP client, daemon or simulator. Measured as the process's peak resident memory, which
 * each of those would push past the bound (the whole command line loaded at once took 105 MB for a validate),
 * and by what the modules it loaded hold.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { credentials, workspace } from "../support/cli.js"
import { runOrgsync } from "../support/orgsync-process.js"
import { start } from "../support/simulator.js"

const probe = fileURLToPath(new URL("../support/module-probe.mjs", import.meta.url))

/** A text each part is alone to hold in the bundle. */
const parts = {
  "the state database": "effect_sql_migrations",
  "the HTTP client": "undici:request:create",
  "the daemon": "/healthz",
  "the simulator": "SimulatorError"
} as const

/** Runs `orgsync ...args` and answers it with the parts its loaded modules hold. */
const partsLoaded = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.gen(function*() {
    const list = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-modules-")), "modules.txt")
    const run = yield* runOrgsync(args, { ...env, NODE_OPTIONS: `--import=${probe}`, ORGSYNC_MODULE_PROBE: list })
    const modules = fs.readFileSync(list, "utf8").split("\n").filter((line) => line.includes(`${path.sep}bundle${path.sep}`))
    const texts = modules.map((module) => fs.readFileSync(module, "utf8"))
    const loaded = Object.entries(parts).filter(([, marker]) => texts.some((text) => text.includes(marker)))
    return { run, modules, loaded: loaded.map(([part]) => part) }
  })

const version = (JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string })
  .version

describe("orgsync starts small", () => {
  it.effect("--version prints the package's version and build within 60 MiB", () =>
    Effect.gen(function*() {
      const run = yield* runOrgsync(["--version"], {})
      expect(run.code).toBe(0)
      expect(run.stdout.startsWith(`orgsync ${version} (build `)).toBe(true)
      expect(run.peakRssMib).toBeLessThan(60)
    }))

  it.effect("validate of a small file stays within 95 MiB (100 MB)", () =>
    Effect.gen(function*() {
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n")
      const run = yield* runOrgsync(["validate", "--desired", ws.desired], {})
      expect(run.code, run.stderr).toBe(0)
      expect(run.peakRssMib).toBeGreaterThan(0)
      expect(run.peakRssMib).toBeLessThan(95)
    }))

  it.effect("validate loads neither the state database, the HTTP client, the daemon nor the simulator", () =>
    Effect.gen(function*() {
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n")
      const { loaded, modules, run } = yield* partsLoaded(["validate", "--desired", ws.desired], {})
      expect(run.code, run.stderr).toBe(0)
      expect(modules.length).toBeGreaterThan(1)
      expect(loaded).toEqual([])
    }))

  it.scoped("apply loads the state database and the HTTP client, neither the daemon nor the simulator", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n")
      const { loaded, run } = yield* partsLoaded(
        ["apply", "--yes", "--desired", ws.desired, "--state", ws.state, "--url", sim.url],
        credentials
      )
      expect(run.code, run.stderr).toBe(0)
      expect(loaded).toEqual(["the state database", "the HTTP client"])
    }))
})
