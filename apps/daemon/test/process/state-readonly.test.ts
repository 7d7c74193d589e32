/**
 * One writer per state database: `plan`, `status` and `import` only read it. A plan in CI leaves a daemon's
 * journal entries in flight alone and the file as it was; a mistyped `--state` is an error naming it, never a
 * new file; the first plan, before any database exists at the default path, plans from Code42 alone.
 */
import { NodeContext } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { StateDb } from "@c42/reconcile"
import { bin, childEnv, credentials, orgsync, type Run, workspace } from "../support/cli.js"
import { start } from "../support/simulator.js"

const desiredYaml = "orgs:\n  - name: Engineering\n  - name: Sales\n    extRef: S-1\n"

/** Bytes, mode and modification time: a file left exactly as it was. */
const fingerprint = (file: string) => {
  const info = fs.statSync(file)
  return { bytes: fs.readFileSync(file).toString("base64"), mode: info.mode & 0o777, mtimeMs: info.mtimeMs }
}

/** A write a running daemon has journaled and not settled yet (its answer is on the way). */
const journalInFlight = (file: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`INSERT INTO journal (action, path, org_uid, parent_org_uid, org_name, preexisting, created_at)
      VALUES ('create', 'Legal', NULL, NULL, 'Legal', '[]', '2026-11-30T10:00:00.000Z')`).pipe(
    Effect.provide(SqliteClient.layer({ filename: file, disableWAL: true }))
  )

const unsettled = (file: string) =>
  Effect.flatMap(StateDb.StateReader, (db) => db.unsettled).pipe(
    Effect.provide(StateDb.layerReadOnly(file, { missing: "fail" })),
    Effect.provide(NodeContext.layer)
  )

/** `orgsync ...args` run as the unprivileged user `nobody` (this process must be root to switch to it). */
const asNobody = (args: ReadonlyArray<string>) =>
  Effect.async<Run>((resume) => {
    const child = execFile("runuser", ["-u", "nobody", "--", process.execPath, bin, ...args], {
      env: childEnv(credentials),
      timeout: 120_000
    }, (error, stdout, stderr) => {
      resume(Effect.succeed({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr }))
    })
    return Effect.sync(() => child.kill())
  })

const isRoot = process.getuid?.() === 0

describe("commands that only read the state database", () => {
  it.scoped("plan leaves a daemon's unsettled journal entry unsettled and the state file unchanged", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      expect((yield* orgsync(["apply", ...common, "--yes"])).code).toBe(0)
      yield* journalInFlight(ws.state)
      ws.write(`${desiredYaml}  - name: Legal\n`)
      const before = fingerprint(ws.state)

      const planned = yield* orgsync(["plan", ...common])
      expect(planned.code, planned.stderr).toBe(2)
      expect(planned.stdout).toMatch(/\+ create\s+Legal/)
      const status = yield* orgsync(["status", "--state", ws.state, "--desired", ws.desired])
      expect(status.code, status.stderr).toBe(0)

      expect(fingerprint(ws.state)).toEqual(before)
      expect((yield* unsettled(ws.state)).map((entry) => entry.path)).toEqual(["Legal"])
    }), 120_000)

  it.scoped("a state file another user can read keeps its mode under plan and status", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      expect((yield* orgsync(["apply", ...common, "--yes"])).code).toBe(0)
      fs.chmodSync(ws.state, 0o644)
      expect((yield* orgsync(["plan", ...common])).code).toBe(0)
      expect((yield* orgsync(["plan", "--offline", "--desired", ws.desired, "--state", ws.state])).code).toBe(0)
      expect((yield* orgsync(["status", "--state", ws.state, "--desired", ws.desired])).code).toBe(0)
      expect(fs.statSync(ws.state).mode & 0o777).toBe(0o644)
    }), 120_000)

  it.scoped("a mistyped --state is an error naming it for status, plan and plan --offline, and no file is created", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const typo = path.join(ws.dir, "stat.db")
      for (
        const args of [
          ["status", "--state", typo, "--desired", ws.desired],
          ["plan", "--offline", "--state", typo, "--desired", ws.desired],
          ["plan", "--state", typo, "--desired", ws.desired, "--url", sim.url]
        ]
      ) {
        const run = yield* orgsync(args)
        expect(run.code, args.join(" ")).toBe(1)
        expect(run.stderr).toBe(`orgsync: no state database at ${typo}\n`)
        expect(run.stdout).toBe("")
      }
      // An import reads Code42 only, and does not create the database either.
      const imported = yield* orgsync(["import", "--state", typo, "--url", sim.url, "--out", path.join(ws.dir, "imported.yaml")])
      expect(imported.code, imported.stderr).toBe(0)
      expect(fs.readdirSync(ws.dir).sort()).toEqual(["imported.yaml", "orgs.schema.json", "orgs.yaml"])
    }), 120_000)

  it.scoped("a state path from ORGSYNC_STATE, the settings file or --state at the default path must exist for plan", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const missing = path.join(ws.dir, "var", "state.db")
      const settingsFile = path.join(ws.dir, "orgsync.yaml")
      fs.writeFileSync(settingsFile, `state: ${missing}\n`)
      const plan = ["plan", "--desired", ws.desired, "--url", sim.url]
      const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>, Record<string, string>, string]> = [
        ["ORGSYNC_STATE", plan, { ORGSYNC_STATE: missing }, missing],
        ["the settings file", [...plan, "--config", settingsFile], {}, missing],
        ["--state at the default path", [...plan, "--state", ".orgsync/state.db"], {}, ".orgsync/state.db"]
      ]
      for (const [where, args, env, named] of cases) {
        const run = yield* orgsync(args, env, credentials, ws.dir)
        expect(run.code, where).toBe(1)
        expect(run.stderr, where).toBe(`orgsync: no state database at ${named}\n`)
      }
      expect(fs.readdirSync(ws.dir).sort()).toEqual(["orgs.yaml", "orgsync.yaml"])
    }), 120_000)

  it.scoped("the first plan, with no database at the default path, plans from Code42 and creates none", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const planned = yield* orgsync(["plan", "--desired", ws.desired, "--url", sim.url], {}, credentials, ws.dir)
      expect(planned.code, planned.stderr).toBe(2)
      expect(planned.stdout).toMatch(/~ update\s+Sales/)
      const status = yield* orgsync(["status", "--desired", ws.desired], {}, credentials, ws.dir)
      expect(status.code, status.stderr).toBe(0)
      expect(status.stdout).toContain("Runs: none yet")
      expect(fs.readdirSync(ws.dir)).toEqual(["orgs.yaml"])
    }), 120_000)

  it.scoped("plan, plan --offline and status leave no journal files beside a database that had none", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const common = ["--desired", ws.desired, "--state", ws.state]
      expect((yield* orgsync(["apply", ...common, "--url", sim.url, "--yes"])).code).toBe(0)
      const before = fs.readdirSync(ws.dir).sort()
      expect(before).not.toContain("state.db-wal")
      expect((yield* orgsync(["plan", ...common, "--url", sim.url])).code).toBe(0)
      expect((yield* orgsync(["plan", "--offline", ...common])).code).toBe(0)
      expect((yield* orgsync(["status", ...common])).code).toBe(0)
      expect(fs.readdirSync(ws.dir).sort()).toEqual(before)
    }), 120_000)

  // Permissions do not bind root: this case runs the commands as `nobody`, which only root can switch to.
  it.scoped.skipIf(!isRoot)("plan --offline and status read a database in a folder they cannot write to", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const common = ["--desired", ws.desired, "--state", ws.state]
      expect((yield* orgsync(["apply", ...common, "--url", sim.url, "--yes"])).code).toBe(0)
      const shared = fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-shared-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(shared, { recursive: true, force: true })))
      const state = path.join(shared, "state.db")
      const desired = path.join(shared, "orgs.yaml")
      fs.copyFileSync(ws.state, state)
      fs.copyFileSync(ws.desired, desired)
      fs.chmodSync(state, 0o644)
      fs.chmodSync(desired, 0o644)
      fs.chmodSync(shared, 0o755)
      const status = yield* asNobody(["status", "--state", state, "--desired", desired])
      expect(status.stderr).toBe("")
      expect(status.code).toBe(0)
      expect(status.stdout).toContain("apply")
      const offline = yield* asNobody(["plan", "--offline", "--state", state, "--desired", desired])
      expect(offline.stderr).toBe("")
      expect(offline.code).toBe(0)
      expect(fs.readdirSync(shared).sort()).toEqual(["orgs.yaml", "state.db"])
    }), 120_000)
})
