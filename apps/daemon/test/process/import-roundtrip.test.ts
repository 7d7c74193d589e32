/**
 * `import` then `plan` is a no-op: the imported file plans nothing against the tenant it came from, or, where a
 * desired file cannot hold the tenant as it is (an active org under a blocked parent), import names every such
 * org on stderr and exits 1 unless `--allow-lossy`.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Simulator } from "@c42/simulator"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { start } from "../support/simulator.js"

/** Every shape a file can hold: blocked and deactivated subtrees, fields, a blocked org under a deactivated one. */
const shapes: ReadonlyArray<Simulator.SeedOrg> = [
  {
    orgName: "Engineering",
    orgExtRef: "E-1",
    notes: "Product engineering",
    children: [
      { orgName: "Platform", children: [{ orgName: "Tools", blocked: true }] },
      { orgName: "Retired", active: false, children: [{ orgName: "Old", active: false, blocked: true }] }
    ]
  },
  { orgName: "Ops", blocked: true, children: [{ orgName: "Night", blocked: true }] },
  { orgName: "Legacy", active: false, blocked: true, children: [{ orgName: "Archive", active: false }] },
  { orgName: "a/b \\ c" }
]

describe("import then plan", () => {
  it.scoped("plans nothing on a tenant the file format can hold", () =>
    Effect.gen(function*() {
      const sim = yield* start({ seed: { org: { orgName: "Acme", children: shapes } } })
      const ws = workspace("orgs: []\n")
      // Import opens no state database: the plan after it has none either (none at the workspace's default path).
      const run = (args: ReadonlyArray<string>) => orgsync([...args, "--url", sim.url], {}, credentials, ws.dir)
      const imported = yield* run(["import", "--out", ws.desired])
      expect(imported.code, imported.stderr).toBe(0)
      const planned = yield* run(["plan", "--desired", ws.desired])
      expect(planned.code, planned.stdout).toBe(0)
      expect(planned.stdout).toContain("No changes")
    }), 120_000)

  it.scoped("writes orgs.schema.json beside the file, so that the $schema comment it starts with resolves", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs: []\n")
      const imported = yield* orgsync(["import", "--state", ws.state, "--url", sim.url, "--out", ws.desired])
      expect(imported.code, imported.stderr).toBe(0)
      const comment = /^# yaml-language-server: \$schema=(\S+)$/m.exec(fs.readFileSync(ws.desired, "utf8"))
      const schema = path.resolve(path.dirname(ws.desired), comment![1]!)
      const printed = yield* orgsync(["schema"])
      expect(printed.code).toBe(0)
      expect(fs.readFileSync(schema, "utf8")).toBe(printed.stdout)
      expect(printed.stdout).toBe(fs.readFileSync(new URL("../../../../config/orgs.schema.json", import.meta.url), "utf8"))
    }), 120_000)

  it.scoped("names the orgs it cannot hold, writes nothing and exits 1, unless --allow-lossy", () =>
    Effect.gen(function*() {
      const lossy: ReadonlyArray<Simulator.SeedOrg> = [
        ...shapes,
        // Active under a blocked parent: a file's child cannot be more active than its parent.
        { orgName: "Sales", blocked: true, children: [{ orgName: "EMEA", blocked: false }, { orgName: "APAC" }] }
      ]
      const sim = yield* start({ seed: { org: { orgName: "Acme", children: lossy } } })
      const ws = workspace("orgs: []\n")
      const out = path.join(ws.dir, "imported.yaml")
      // Import opens no state database: the plan after it has none either (none at the workspace's default path).
      const run = (args: ReadonlyArray<string>) => orgsync([...args, "--url", sim.url], {}, credentials, ws.dir)

      const refused = yield* run(["import", "--out", out])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain("cannot hold 1 org")
      expect(refused.stderr).toMatch(/^ {2}Sales\/EMEA: active in Code42, block on the first apply$/m)
      expect(refused.stderr).toContain("--allow-lossy")
      expect(fs.existsSync(out)).toBe(false)

      const allowed = yield* run(["import", "--out", out, "--allow-lossy"])
      expect(allowed.code, allowed.stderr).toBe(0)
      expect(allowed.stderr).toContain("Sales/EMEA")
      const planned = yield* run(["plan", "--desired", out, "--format", "json"])
      expect(planned.code).toBe(2)
      expect(JSON.parse(planned.stdout).changes.map((c: { action: string; path: string }) => `${c.action} ${c.path}`))
        .toEqual(["block Sales/EMEA"])
    }), 120_000)
})
