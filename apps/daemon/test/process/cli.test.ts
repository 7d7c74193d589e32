/**
 * The CLI as a user runs it: the built binary as a process, the real simulator on loopback, a real state file.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { byHand, named, start } from "../support/simulator.js"

const desiredYaml = `
orgs:
  - name: Engineering
    children:
      - name: Platform
      - name: Mobile
        status: blocked
  - name: Sales
    extRef: S-1
  - name: Support
`

interface JsonPlan {
  readonly summary: Record<string, number>
  readonly changes: ReadonlyArray<{ action: string; path: string; cause: string }>
  readonly checksum: string
}

describe("orgsync CLI", () => {
  it.scoped("plans, applies, and then plans no changes", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const connection = ["--desired", ws.desired, "--url", sim.url]
      const common = [...connection, "--state", ws.state]

      // The first plan: no state database yet (none at the default path of the workspace).
      const first = yield* orgsync(["plan", ...connection, "--format", "json"], {}, credentials, ws.dir)
      expect(first.code, first.stderr).toBe(2)
      const plan = JSON.parse(first.stdout) as JsonPlan
      expect(plan.summary).toMatchObject({ create: 2, update: 1, block: 1 })
      expect(plan.changes.map((c) => `${c.action} ${c.path}`)).toEqual([
        "create Support",
        "create Engineering/Mobile",
        "update Sales",
        "block Engineering/Mobile"
      ])

      const applied = yield* orgsync(["apply", ...common, "--yes"])
      expect(applied.code, applied.stderr + applied.stdout).toBe(0)
      expect(named(sim, "Mobile")).toMatchObject([{ blocked: true, active: true }])
      expect(named(sim, "Sales")).toMatchObject([{ orgExtRef: "S-1" }])
      expect(named(sim, "Support")).toHaveLength(1)

      const again = yield* orgsync(["plan", ...common])
      expect(again.code, again.stdout).toBe(0)
      expect(again.stdout).toContain("No changes")

      sim.clearRequests()
      const offline = yield* orgsync(["plan", "--offline", "--desired", ws.desired, "--state", ws.state])
      expect(offline.code, offline.stderr).toBe(0)
      expect(offline.stdout).toContain("No changes")
      ws.write(desiredYaml.replace("S-1", "S-2"))
      const offlineChange = yield* orgsync(["plan", "--offline", "--desired", ws.desired, "--state", ws.state])
      expect(offlineChange.code).toBe(2)
      expect(offlineChange.stdout).toMatch(/~ update\s+Sales/)
      expect(sim.requests()).toEqual([])
      ws.write(desiredYaml)

      const status = yield* orgsync(["status", "--state", ws.state, "--desired", ws.desired])
      expect(status.code).toBe(0)
      expect(status.stdout).toMatch(/apply .* converged/)
      expect(fs.statSync(ws.state).mode & 0o777).toBe(0o600)
    }))

  it.scoped("plans hand-made drift with cause drift and heals it", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      expect((yield* orgsync(["apply", ...common, "--yes"])).code).toBe(0)

      const sales = named(sim, "Sales")[0]!
      const mobile = named(sim, "Mobile")[0]!
      yield* byHand(sim, "PUT", `/api/v1/OrgBlock/${sales.orgId}`)
      yield* byHand(sim, "DELETE", `/api/v1/OrgBlock/${mobile.orgId}`)

      const drift = yield* orgsync(["plan", ...common, "--format", "json"])
      expect(drift.code).toBe(2)
      expect((JSON.parse(drift.stdout) as JsonPlan).changes.map((c) => `${c.action} ${c.path} ${c.cause}`)).toEqual([
        "unblock Sales drift",
        "block Engineering/Mobile drift"
      ])

      expect((yield* orgsync(["apply", ...common, "--yes"])).code).toBe(0)
      expect(named(sim, "Sales")[0]).toMatchObject({ blocked: false })
      expect(named(sim, "Mobile")[0]).toMatchObject({ blocked: true })
    }))

  it.scoped("a lost create response leaves exactly one org after the next apply", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n  - name: Legal\n")
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      sim.setFaults({ lostResponseRate: 1 })
      yield* orgsync(["apply", ...common, "--yes"])
      sim.setFaults({ lostResponseRate: 0 })
      const second = yield* orgsync(["apply", ...common, "--yes"])
      expect(second.code, second.stderr).toBe(0)
      expect(named(sim, "Legal")).toHaveLength(1)
      const again = yield* orgsync(["plan", ...common])
      expect(again.code).toBe(0)
    }))

  it.scoped("refuses to apply without --yes off a terminal, and a stale reviewed plan", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const connection = ["--desired", ws.desired, "--url", sim.url]
      const common = [...connection, "--state", ws.state]
      const refused = yield* orgsync(["apply", ...common])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain("--yes")
      expect(named(sim, "Support")).toHaveLength(0)

      const planFile = `${ws.dir}/plan.json`
      // The refused apply made no state database: the plan has none (none at the default path of the workspace).
      const reviewed = ["plan", ...connection, "--format", "json", "--out", planFile]
      expect((yield* orgsync(reviewed, {}, credentials, ws.dir)).code).toBe(2)
      const sales = named(sim, "Sales")[0]!
      yield* byHand(sim, "PUT", `/api/v1/OrgBlock/${sales.orgId}`)
      const stale = yield* orgsync(["apply", ...common, "--plan", planFile])
      expect(stale.code).toBe(1)
      expect(stale.stderr).toContain("stale")
      expect(named(sim, "Support")).toHaveLength(0)

      expect((yield* orgsync(["plan", ...common, "--format", "json", "--out", planFile])).code).toBe(2)
      const applied = yield* orgsync(["apply", ...common, "--plan", planFile])
      expect(applied.code, applied.stderr).toBe(0)
      expect(named(sim, "Support")).toHaveLength(1)
    }))

  it.scoped("validate, and a desired file that does not validate makes no call", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n    colour: blue\n  - name: X\n")
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      const invalid = yield* orgsync(["validate", "--desired", ws.desired])
      expect(invalid.code).toBe(1)
      expect(invalid.stderr).toContain(`${ws.desired}:3:5:`)
      expect(invalid.stderr).toContain(`${ws.desired}:4:11:`)
      sim.clearRequests()
      const apply = yield* orgsync(["apply", ...common, "--yes"])
      expect(apply.code).toBe(1)
      expect(sim.requests()).toEqual([])
      ws.write("orgs:\n  - name: Engineering\n")
      const valid = yield* orgsync(["validate", "--desired", ws.desired])
      expect(valid.code).toBe(0)
    }))

  it.scoped("import writes the live tree, and planning it reports no changes", () =>
    Effect.gen(function*() {
      const sim = yield* start({
        seed: {
          org: {
            orgName: "Acme",
            children: [
              { orgName: "Engineering", orgExtRef: "ENG", children: [{ orgName: "Platform" }, { orgName: "Team: A/B" }] },
              { orgName: "Sales", blocked: true, children: [{ orgName: "EMEA", notes: "Europe\nand more" }] },
              { orgName: "Legacy", active: false, children: [{ orgName: "Platform" }] }
            ]
          }
        }
      })
      const ws = workspace("")
      // Import opens no state database: the plan after it has none either (none at the workspace's default path).
      const common = ["--url", sim.url]
      const imported = yield* orgsync(["import", ...common, "--out", ws.desired], {}, credentials, ws.dir)
      expect(imported.code, imported.stderr).toBe(0)
      expect(fs.readFileSync(ws.desired, "utf8")).toContain("uid:")
      const plan = yield* orgsync(["plan", ...common, "--desired", ws.desired], {}, credentials, ws.dir)
      expect(plan.stdout).toContain("No changes")
      expect(plan.code, plan.stdout).toBe(0)
    }))

  it.scoped("writes a large plan through a pipe in full", () =>
    Effect.gen(function*() {
      const sim = yield* start({ generate: 3000 })
      const ws = workspace("orgs:\n" + Array.from({ length: 800 }, (_, i) => `  - name: Team ${i}\n`).join(""))
      const planned = yield* orgsync(
        ["plan", "--desired", ws.desired, "--url", sim.url, "--format", "json"],
        {},
        credentials,
        ws.dir
      )
      expect(planned.code).toBe(2)
      expect(planned.stdout.length).toBeGreaterThan(131_072)
      expect((JSON.parse(planned.stdout) as JsonPlan).summary.create).toBe(800)
    }))
})
