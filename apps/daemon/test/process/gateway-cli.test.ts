/**
 * orgsync on the Incydr API gateway family (`api: gateway`), as a user runs it: the built binary against the
 * simulator's `/v1/oauth` and `/v1/orgs` routes with API-client credentials, a real state file. Everything but
 * blocking converges; a desired `status: blocked` is an `unsupported` conflict, never a call.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Simulator } from "@c42/simulator"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { getJson, startDaemon, until } from "../support/daemon.js"
import { named, start } from "../support/simulator.js"

/** Each test runs orgsync several times, each a process that starts in seconds on a busy machine. */
const timeout = 180_000

const apiClient = { CODE42_CLIENT_ID: "key-gw", CODE42_CLIENT_SECRET: "gw-secret" }

/** The test tenant, with the API client beside the console's admin (who makes hand changes). */
const startGateway = (options: Simulator.Options = {}) =>
  start({
    users: [{ username: "admin", password: "secret" }],
    apiClients: [{ clientId: apiClient.CODE42_CLIENT_ID, secret: apiClient.CODE42_CLIENT_SECRET }],
    ...options
  })

/** `orgsync ...args` on the gateway family, signed in as the API client, in the folder `cwd` if given. */
const gateway = (args: ReadonlyArray<string>, env: Record<string, string> = {}, cwd?: string) =>
  orgsync(args, { ORGSYNC_API: "gateway", ...env }, apiClient, cwd)

interface JsonPlan {
  readonly summary: Record<string, number>
  readonly changes: ReadonlyArray<{ action: string; path: string; orgUid: string | null; cause: string }>
  readonly conflicts: ReadonlyArray<{ kind: string; path: string; message: string; orgUids: ReadonlyArray<string> }>
}

/** Every request the simulator received went to the gateway family, and none could block or unblock. */
const onlyGateway = (sim: Simulator.Handle) => {
  const paths = sim.requests().map((r) => `${r.method} ${r.path}`)
  expect(paths.filter((p) => !/ \/v1\/(oauth|orgs)/.test(p))).toEqual([])
  expect(paths.filter((p) => /block/i.test(p))).toEqual([])
}

describe("orgsync on api: gateway", () => {
  it.scoped("plans, applies and plans nothing: create, update, deactivate, reactivate, rename, by guid", () =>
    Effect.gen(function*() {
      const sim = yield* startGateway()
      const engineeringYaml = `
orgs:
  - name: Engineering
    extRef: ENG-1
    notes: Product engineering
    children:
      - name: Platform
      - name: Mobile
`
      const ws = workspace(`${engineeringYaml}  - name: Sales
    status: deactivated
  - name: Support
`)
      const connection = ["--desired", ws.desired, "--url", sim.url]
      const common = [...connection, "--state", ws.state]
      // The first plan: no state database yet (none at the default path of the workspace).
      const first = yield* orgsync(["plan", ...connection, "--api", "gateway", "--format", "json"], {}, apiClient, ws.dir)
      expect(first.code, first.stderr).toBe(2)
      const plan = JSON.parse(first.stdout) as JsonPlan
      expect(plan.changes.map((c) => `${c.action} ${c.path}`)).toEqual([
        "create Support",
        "create Engineering/Mobile",
        "update Engineering",
        "deactivate Sales"
      ])
      expect(plan.summary).toMatchObject({ block: 0, unblock: 0, conflicts: 0 })
      // Identities are guids on this family.
      expect(plan.changes.find((c) => c.action === "update")!.orgUid).toBe(named(sim, "Engineering")[0]!.orgGuid)

      const applied = yield* gateway(["apply", ...common, "--yes"])
      expect(applied.code, applied.stderr + applied.stdout).toBe(0)
      const engineering = named(sim, "Engineering")[0]!
      expect(engineering).toMatchObject({ orgExtRef: "ENG-1", notes: "Product engineering" })
      expect(named(sim, "Mobile")).toMatchObject([{ parentOrgGuid: engineering.orgGuid, active: true }])
      expect(named(sim, "Sales")).toMatchObject([{ active: false }])
      expect(named(sim, "Support")).toHaveLength(1)

      const again = yield* gateway(["plan", ...common])
      expect(again.code, again.stdout + again.stderr).toBe(0)
      expect(again.stdout).toContain("No changes")

      ws.write(`${engineeringYaml}  - name: Sales
  - name: Customer Support
    previously: [Support]
`)
      const second = yield* gateway(["plan", ...common, "--format", "json"])
      expect((JSON.parse(second.stdout) as JsonPlan).changes.map((c) => `${c.action} ${c.path}`)).toEqual([
        "reactivate Sales",
        "update Customer Support"
      ])
      expect((yield* gateway(["apply", ...common, "--yes"])).code).toBe(0)
      expect(named(sim, "Sales")).toMatchObject([{ active: true }])
      expect(named(sim, "Customer Support")).toHaveLength(1)
      expect(named(sim, "Support")).toHaveLength(0)
      expect((yield* gateway(["plan", ...common])).code).toBe(0)
      onlyGateway(sim)
    }), timeout)

  it.scoped("a desired status: blocked is an unsupported conflict in every plan format, and never a call", () =>
    Effect.gen(function*() {
      const sim = yield* startGateway()
      const ws = workspace(`
orgs:
  - name: Engineering
    status: blocked
    children:
      - name: Platform
  - name: Sales
    extRef: S-1
`)
      // Plans before any apply: no state database yet (none at the default path of the workspace).
      const common = ["--desired", ws.desired, "--url", sim.url]
      const json = yield* gateway(["plan", ...common, "--format", "json"], {}, ws.dir)
      expect(json.code).toBe(2)
      const plan = JSON.parse(json.stdout) as JsonPlan
      expect(plan.summary).toMatchObject({ block: 0, unblock: 0, update: 1, conflicts: 1 })
      expect(plan.changes.map((c) => `${c.action} ${c.path}`)).toEqual(["update Sales"])
      expect(plan.conflicts).toMatchObject([{
        kind: "unsupported",
        path: "Engineering",
        orgUids: [named(sim, "Engineering")[0]!.orgGuid]
      }])
      expect(plan.conflicts[0]!.message).toContain("cannot block")
      expect(plan.conflicts[0]!.message).toContain("api: v3")

      const text = yield* gateway(["plan", ...common], {}, ws.dir)
      expect(text.stdout).toMatch(/! unsupported\s+Engineering: .*cannot block/)
      const markdown = yield* gateway(["plan", ...common, "--format", "markdown"], {}, ws.dir)
      expect(markdown.stdout).toMatch(/\| unsupported \| Engineering \| .*cannot block/)

      const applied = yield* gateway(["apply", ...common, "--state", ws.state, "--yes"])
      expect(applied.code).toBe(1)
      expect(applied.stdout + applied.stderr).toContain("cannot block")
      expect(named(sim, "Sales")).toMatchObject([{ orgExtRef: "S-1" }])
      expect(named(sim, "Engineering")).toMatchObject([{ blocked: false, active: true }])
      onlyGateway(sim)
    }), timeout)

  it.scoped("import writes guid pins and the plan of the imported file is empty", () =>
    Effect.gen(function*() {
      const sim = yield* startGateway({
        seed: {
          org: {
            orgName: "Acme",
            children: [
              { orgName: "Engineering", orgExtRef: "ENG", children: [{ orgName: "Platform", notes: "Shared\nservices" }] },
              { orgName: "Legacy", active: false, children: [{ orgName: "Archive", active: false }] },
              { orgName: "a/b \\ c" }
            ]
          }
        }
      })
      const ws = workspace("orgs: []\n")
      // Import opens no state database: the plan after it has none either.
      const common = ["--url", sim.url]
      const imported = yield* gateway(["import", ...common, "--out", ws.desired], {}, ws.dir)
      expect(imported.code, imported.stderr).toBe(0)
      // The family cannot say which orgs are blocked: the file says none is, and the command says so.
      expect(imported.stderr).toContain("the gateway API family does not say which orgs are blocked")
      const text = fs.readFileSync(ws.desired, "utf8")
      expect(text).toContain(`uid: "${named(sim, "Platform")[0]!.orgGuid}"`)
      expect(text).not.toContain(`"${named(sim, "Platform")[0]!.orgUid}"`)
      expect((yield* gateway(["validate", "--desired", ws.desired])).code).toBe(0)
      const planned = yield* gateway(["plan", ...common, "--desired", ws.desired], {}, ws.dir)
      expect(planned.code, planned.stdout + planned.stderr).toBe(0)
      expect(planned.stdout).toContain("No changes")
      onlyGateway(sim)
    }), timeout)

  it.scoped("root: a guid manages only the orgs below it", () =>
    Effect.gen(function*() {
      const sim = yield* startGateway()
      const engineering = named(sim, "Engineering")[0]!
      const ws = workspace(`root: "${engineering.orgGuid}"\nprune: deactivate\norgs:\n  - name: Data\n`)
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--force"]
      const applied = yield* gateway(["apply", ...common, "--yes"])
      expect(applied.code, applied.stdout + applied.stderr).toBe(0)
      expect(named(sim, "Data")).toMatchObject([{ parentOrgGuid: engineering.orgGuid }])
      // Platform was under the root and in no file: pruned; Sales, outside the root, untouched.
      expect(named(sim, "Platform")).toMatchObject([{ active: false }])
      expect(named(sim, "Sales")).toMatchObject([{ active: true }])
      expect(named(sim, "Engineering")).toMatchObject([{ active: true }])
    }), timeout)

  it.scoped("a create whose answer is lost is adopted from the journal, never sent twice", () =>
    Effect.gen(function*() {
      const sim = yield* startGateway()
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n  - name: Legal\n")
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      sim.setFaults({ lostResponseRate: 1 })
      yield* gateway(["apply", ...common, "--yes"])
      sim.setFaults({ lostResponseRate: 0 })
      const second = yield* gateway(["apply", ...common, "--yes"])
      expect(second.code, second.stderr).toBe(0)
      expect(named(sim, "Legal")).toHaveLength(1)
      expect(sim.requests().filter((r) => r.method === "POST" && r.path === "/v1/orgs")).toHaveLength(1)
      expect((yield* gateway(["plan", ...common])).code).toBe(0)
      const status = yield* gateway(["status", "--state", ws.state, "--desired", ws.desired])
      expect(status.code).toBe(0)
      expect(status.stdout).toMatch(/apply .* converged/)
    }), timeout)

  it.scoped("the settings name the family: file key api, ORGSYNC_API, CODE42_API, --api; a local account is refused", () =>
    Effect.gen(function*() {
      const sim = yield* startGateway()
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Support\n")
      const config = path.join(ws.dir, "orgsync.yaml")
      fs.writeFileSync(config, `api: gateway\nurl: ${sim.url}\n`)
      // Plans with no state database (none at the default path of the workspace).
      const common = ["plan", "--desired", ws.desired]
      const runs = [
        yield* orgsync([...common, "--config", config], {}, apiClient, ws.dir),
        yield* orgsync([...common, "--url", sim.url], { ORGSYNC_API: "gateway" }, apiClient, ws.dir),
        yield* orgsync([...common, "--url", sim.url], { CODE42_API: "gateway" }, apiClient, ws.dir),
        yield* orgsync([...common, "--url", sim.url, "--api", "gateway"], { ORGSYNC_API: "v3" }, apiClient, ws.dir)
      ]
      for (const run of runs) expect(run.code, run.stderr).toBe(2)
      onlyGateway(sim)
      // The flag wins over the environment, which wins over the file.
      sim.clearRequests()
      const v3 = yield* orgsync([...common, "--config", config], { ORGSYNC_API: "v3" }, apiClient, ws.dir)
      expect(v3.code, v3.stderr).toBe(2)
      expect(sim.requests().some((r) => r.path.startsWith("/api/"))).toBe(true)

      const local = yield* orgsync([...common, "--url", sim.url, "--api", "gateway"], {}, credentials, ws.dir)
      expect(local.code).toBe(1)
      expect(local.stderr).toContain("api gateway signs in with an API client")
    }), timeout)

  it.scoped("run: one pass converges and /api/status lists the unsupported conflict", () =>
    Effect.gen(function*() {
      const sim = yield* startGateway()
      const ws = workspace("orgs:\n  - name: Engineering\n    status: blocked\n  - name: Sales\n  - name: Support\n")
      const daemon = yield* startDaemon(
        ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--interval", "5s"],
        { ...apiClient, ORGSYNC_API: "gateway" }
      )
      yield* until(() => named(sim, "Support").length === 1, 15_000, daemon.output)
      interface Status {
        readonly pending: { readonly conflicts: ReadonlyArray<{ kind: string; path: string; message: string }> } | null
      }
      yield* until(
        () => fetch(`${daemon.url}/api/status`).then((r) => r.json() as Promise<Status>).then((s) => s.pending !== null),
        15_000,
        daemon.output
      )
      const status = yield* getJson<Status>(`${daemon.url}/api/status`)
      expect(status.pending!.conflicts).toMatchObject([{ kind: "unsupported", path: "Engineering" }])
      daemon.process.kill("SIGTERM")
      expect(yield* Effect.promise(() => daemon.exited)).toBe(0)
      expect(named(sim, "Engineering")).toMatchObject([{ blocked: false }])
      onlyGateway(sim)
    }), timeout)
})
