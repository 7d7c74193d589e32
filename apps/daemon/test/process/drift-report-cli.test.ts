/**
 * `drift: report` and `destructive` from the command line, as a process against the simulator: `apply` leaves a
 * hand change in place while writing what the files change on the same org, and measures later drift from
 * what it wrote; `plan` plans with the same settings as `apply` (flag, environment or settings file), so that
 * a reviewed plan is applied, and shows what the policy keeps back apart from the changes.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { orgsync, workspace } from "../support/cli.js"
import { byHand, named, start } from "../support/simulator.js"

const salesYaml = (extRef: string) => `orgs:\n  - name: Sales\n    extRef: ${extRef}\n    notes: n0\n`

describe("apply --drift report", () => {
  it.scoped("a field orgsync wrote while drift was pending on the org is its own: set back by the files, it is written", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(salesYaml("S-0"))
      const apply = ["apply", "--yes", "--drift", "report", "--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      expect((yield* orgsync(apply)).code).toBe(0)
      const guid = named(sim, "Sales")[0]!.orgGuid
      yield* byHand(sim, "PUT", `/api/v3/orgs/${guid}`, { orgName: "Sales", orgExtRef: "S-0", notes: "by hand" })

      ws.write(salesYaml("S-1"))
      const second = yield* orgsync(apply)
      expect(second.code).toBe(1)
      expect(named(sim, "Sales")[0]).toMatchObject({ orgExtRef: "S-1", notes: "by hand" })

      // The files set extRef back: orgsync writes it; only the notes stay reported.
      ws.write(salesYaml("S-0"))
      const third = yield* orgsync(apply)
      expect(named(sim, "Sales")[0]).toMatchObject({ orgExtRef: "S-0", notes: "by hand" })
      expect(third.stdout).toMatch(/~ update\s+Sales\s+notes: "by hand" → "n0" \(drift: report, not reverted\)\n/)
      expect(third.stdout).toContain("Applied 1 change, 0 failed")
      expect(third.code).toBe(1)
    }), 120_000)
})

interface JsonPlan {
  readonly summary: Record<string, number>
  readonly changes: ReadonlyArray<{ readonly action: string; readonly path: string; readonly cause: string }>
  readonly kept?: ReadonlyArray<{ readonly action: string; readonly path: string; readonly reason: string }>
}

const rows = (plan: JsonPlan) => ({
  changes: plan.changes.map((c) => `${c.action} ${c.path} ${c.cause}`),
  kept: (plan.kept ?? []).map((c) => `${c.action} ${c.path} ${c.reason}`)
})

describe("plan with the policy apply is given", () => {
  it.scoped("a plan made under drift: report (flag, environment or file) is applied by apply --plan under it", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(salesYaml("S-0"))
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      expect((yield* orgsync(["apply", "--yes", ...common])).code).toBe(0)
      const guid = named(sim, "Sales")[0]!.orgGuid
      yield* byHand(sim, "PUT", `/api/v3/orgs/${guid}`, { orgName: "Sales", orgExtRef: "S-0", notes: "by hand" })

      ws.write(salesYaml("S-1"))
      const reviewed = path.join(ws.dir, "plan.json")
      const plan = yield* orgsync(["plan", ...common, "--format", "json", "--drift", "report", "--out", reviewed])
      expect(plan.code, plan.stderr).toBe(2)
      const json = JSON.parse(fs.readFileSync(reviewed, "utf8")) as JsonPlan
      expect(rows(json)).toEqual({ changes: ["update Sales desired"], kept: ["update Sales drift"] })
      expect(json.summary.update).toBe(1)
      const text = yield* orgsync(["plan", ...common, "--drift", "report"])
      expect(text.stdout).toMatch(/Kept back by the policy \(not made\):\n\s+~ update\s+Sales\s+notes: "by hand" → "n0" \(drift: report, not reverted\)/)

      const apply = yield* orgsync(["apply", ...common, "--plan", reviewed, "--drift", "report"])
      expect(apply.stderr).not.toContain("stale")
      expect(apply.code).toBe(1)
      expect(named(sim, "Sales")[0]).toMatchObject({ orgExtRef: "S-1", notes: "by hand" })

      // The environment for plan, the settings file for apply: the same settings, the same checksum.
      ws.write(salesYaml("S-2"))
      const fromEnv = yield* orgsync(["plan", ...common, "--format", "json", "--out", reviewed], { ORGSYNC_DRIFT: "report" })
      expect(rows(JSON.parse(fs.readFileSync(reviewed, "utf8")) as JsonPlan), fromEnv.stderr).toEqual({
        changes: ["update Sales desired"],
        kept: ["update Sales drift"]
      })
      const settings = path.join(ws.dir, "orgsync.yaml")
      fs.writeFileSync(settings, "drift: report\n")
      const fromFile = yield* orgsync(["apply", ...common, "--config", settings, "--plan", reviewed])
      expect(fromFile.stderr).not.toContain("stale")
      expect(named(sim, "Sales")[0]).toMatchObject({ orgExtRef: "S-2", notes: "by hand" })
    }), 120_000)

  it.scoped("destructive: never: plan shows the block kept back, and apply --plan leaves it as plan said", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const yaml = "orgs:\n  - name: Engineering\n    children:\n      - name: Platform\n  - name: Sales\n    extRef: S-0\n"
      const ws = workspace(yaml)
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      expect((yield* orgsync(["apply", "--yes", ...common])).code).toBe(0)
      ws.write(yaml.replace("name: Engineering\n", "name: Engineering\n    status: blocked\n").replace("S-0", "S-1"))
      const reviewed = path.join(ws.dir, "plan.json")
      const plan = yield* orgsync(["plan", ...common, "--format", "json", "--destructive", "never", "--out", reviewed])
      expect(plan.code, plan.stderr).toBe(2)
      expect(rows(JSON.parse(fs.readFileSync(reviewed, "utf8")) as JsonPlan)).toEqual({
        changes: ["update Sales desired"],
        kept: ["block Engineering never"]
      })
      const markdown = yield* orgsync(["plan", ...common, "--format", "markdown", "--destructive", "never"])
      expect(markdown.stdout).toContain("**Plan: 0 orgs to block, deactivate or prune;")
      expect(markdown.stdout).toMatch(/\| - block \| Engineering \| active → blocked, cascades to 1 org \| destructive: never \|/)

      const apply = yield* orgsync(["apply", ...common, "--plan", reviewed, "--destructive", "never"])
      expect(apply.stderr).not.toContain("stale")
      expect(apply.stderr).toContain("not applied (destructive: never): block Engineering")
      expect(apply.code).toBe(1)
      expect(named(sim, "Sales")[0]).toMatchObject({ orgExtRef: "S-1" })
      expect(named(sim, "Engineering")[0]!.blocked).toBe(false)
    }), 120_000)
})
