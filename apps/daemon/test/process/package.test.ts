/**
 * The package as a user gets it: `npm pack` of apps/daemon, installed into an empty folder from the tarball
 * with dependencies from the npm registry only, and every command run from there against the simulator.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFile, spawn } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll } from "vitest"
import { childEnv, credentials } from "../support/cli.js"
import { freePort, until } from "../support/daemon.js"
import { named, start } from "../support/simulator.js"

const packageDir = fileURLToPath(new URL("../..", import.meta.url))
const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version: string }

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** The environment of a user's shell: none of this test run's npm, CODE42_* or ORGSYNC_* variables. */
const cleanEnv = () =>
  Object.fromEntries(Object.entries(childEnv({})).filter(([key]) => !key.toLowerCase().startsWith("npm_")))

const exec = (file: string, args: ReadonlyArray<string>, cwd: string, env: Record<string, string> = {}) =>
  new Promise<Run>((resolve) => {
    const options = { cwd, env: { ...cleanEnv(), ...env }, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 }
    const child = execFile(file, args, options, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr }))
    child.stdin?.end()
  })

const must = async (run: Promise<Run>, what: string) => {
  const result = await run
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}\n${result.stdout}\n${result.stderr}`)
  return result
}

/**
 * better-sqlite3 installs a prebuilt binary (downloaded by prebuild-install) or compiles SQLite. Offer it the
 * binary this checkout already built, as a local prebuild under the name prebuild-install looks for
 * (npm_config_better_sqlite3_local_prebuilds), so that the test does not spend minutes compiling SQLite again;
 * a version the checkout does not have is still compiled.
 */
const localPrebuilds = async (dir: string) => {
  const require = createRequire(path.join(packageDir, "package.json"))
  const root = path.dirname(require.resolve("better-sqlite3/package.json"))
  const sqlite = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }
  const name = `better-sqlite3-v${sqlite.version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`
  fs.mkdirSync(dir)
  await must(exec("tar", ["-czf", path.join(dir, name), "build/Release/better_sqlite3.node"], root), "tar")
  return dir
}

let work: string
let installed: string

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-package-"))
  const packed = await must(exec("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], packageDir), "npm pack")
  const [{ filename }] = JSON.parse(packed.stdout) as ReadonlyArray<{ filename: string }>
  installed = path.join(work, "site")
  fs.mkdirSync(installed)
  await must(
    exec("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", path.join(work, filename)], installed, {
      npm_config_better_sqlite3_local_prebuilds: await localPrebuilds(path.join(work, "prebuilds"))
    }),
    "npm install"
  )
}, 600_000)

afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

/** `npx orgsync ...args` in the folder it was installed into, with the user's credentials. */
const npx = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.promise(() => exec("npx", ["orgsync", ...args], installed, { ...credentials, ...env }))

/**
 * A long-running `orgsync` started through the installed bin link (the file npx runs), so that a signal
 * reaches it directly; killed when the scope closes.
 */
const spawnInstalled = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = spawn(path.join(installed, "node_modules", ".bin", "orgsync"), args, {
        cwd: installed,
        env: { ...cleanEnv(), ...credentials, ...env },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let output = ""
      child.stdout.on("data", (chunk) => (output += chunk))
      child.stderr.on("data", (chunk) => (output += chunk))
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
      return { child, output: () => output, exited }
    }),
    ({ child }) => Effect.sync(() => child.kill("SIGKILL"))
  )

const stopped = (running: { child: { kill: (signal: NodeJS.Signals) => boolean }; exited: Promise<number | null> }) =>
  Effect.promise(() => (running.child.kill("SIGTERM"), running.exited))

describe("the orgsync package", () => {
  it("packs as orgsync-<version>.tgz with the bundle and registry dependencies only", () => {
    const manifest = JSON.parse(
      fs.readFileSync(path.join(installed, "node_modules", "orgsync", "package.json"), "utf8")
    ) as { dependencies: Record<string, string> }
    expect(fs.existsSync(path.join(work, `orgsync-${version}.tgz`))).toBe(true)
    expect(fs.lstatSync(path.join(installed, "node_modules", "orgsync")).isSymbolicLink()).toBe(false)
    expect(Object.keys(manifest.dependencies).filter((name) => name.startsWith("@c42/"))).toEqual([])
    // Our packages and Effect are inside the bundle, not installed beside it.
    for (const name of ["@c42", "effect", "@effect"]) {
      expect(fs.existsSync(path.join(installed, "node_modules", name)), name).toBe(false)
    }
    expect(fs.existsSync(path.join(installed, "node_modules", "orgsync", "src"))).toBe(false)
  })

  it.effect("prints its version and build", () =>
    Effect.gen(function*() {
      const run = yield* npx(["--version"])
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(new RegExp(`^orgsync ${version.replace(/\./g, "\\.")} \\(build [0-9a-f]+(\\+modified)? \\d{4}-\\d\\d-\\d\\d\\)\\n$`))
    }))

  it.scoped("validates, plans, applies and runs the daemon against Code42", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const desired = path.join(installed, "orgs.yaml")
      fs.writeFileSync(desired, "orgs:\n  - name: Engineering\n    children:\n      - name: Platform\n  - name: Sales\n  - name: Support\n")
      const env = { CODE42_URL: sim.url, ORGSYNC_STATE: path.join(installed, "state.db") }

      const valid = yield* npx(["validate", "--desired", desired])
      expect(valid.code, valid.stderr).toBe(0)
      expect(valid.stdout).toContain("valid")

      // The first plan, before any state database: none at the default path either.
      const plan = yield* npx(["plan", "--desired", desired], { CODE42_URL: sim.url })
      expect(plan.code, plan.stderr).toBe(2)
      expect(plan.stdout).toContain("Support")
      const apply = yield* npx(["apply", "--desired", desired, "--yes"], env)
      expect(apply.code, apply.stderr).toBe(0)
      expect(named(sim, "Support")).toHaveLength(1)
      expect((yield* npx(["plan", "--desired", desired], env)).code).toBe(0)

      const daemon = yield* spawnInstalled(["run", "--desired", desired, "--listen", "127.0.0.1:0"], env)
      fs.writeFileSync(desired, `${fs.readFileSync(desired, "utf8")}  - name: Legal\n`)
      yield* until(() => named(sim, "Legal").length === 1, 30_000, daemon.output)
      expect(yield* stopped(daemon)).toBe(0)
    }), 180_000)

  it.scoped("runs the demo: a simulated tenant, the daemon and its status page", () =>
    Effect.gen(function*() {
      const desired = path.join(installed, "demo.yaml")
      fs.copyFileSync(fileURLToPath(new URL("../../../../config/orgs.yaml", import.meta.url)), desired)
      const port = yield* freePort()
      const demo = yield* spawnInstalled(["demo", "--desired", desired, "--listen", `127.0.0.1:${port}`])
      yield* until(() => /reconciled/.test(demo.output()), 30_000, demo.output)
      const page = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/`))
      expect(page.status).toBe(200)
      expect(yield* Effect.promise(() => page.text())).toContain(desired)
      expect(yield* stopped(demo)).toBe(0)
    }), 120_000)
})
