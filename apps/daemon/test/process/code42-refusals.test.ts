/**
 * Changes Code42 refuses by its rules, through the built CLI against the simulator: a name already used in
 * the tenant (`ORG_DUPLICATE`) and an unblock under an org blocked meanwhile (`PARENT_ORG_IS_BLOCKED`) become
 * conflicts that say what to do, and are not sent again while nothing changed.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { orgsync, workspace } from "../support/cli.js"
import { proxy } from "../support/proxy.js"
import { byHand, named, start } from "../support/simulator.js"

const creates = (requests: ReadonlyArray<{ readonly method: string; readonly path: string; readonly status: number }>) =>
  requests.filter((request) => request.method === "POST" && /\/orgs?$/i.test(request.path))

describe("refusals by Code42's rules", () => {
  it.scopedLive("a name used elsewhere in the tenant is a conflict, not sent again until the file changes", () =>
    Effect.gen(function*() {
      const sim = yield* start({ rules: { uniqueNames: "tenant" } })
      const tree = (name: string) =>
        `orgs:\n  - name: Engineering\n    children:\n      - name: Platform\n      - name: ${name}\n` +
        `        children:\n          - name: EMEA\n  - name: Sales\n    extRef: S-0\n  - name: Fresh\n`
      const ws = workspace(tree("Sales"))
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]

      const first = yield* orgsync(["apply", ...common, "--yes"])
      expect(first.code).toBe(1)
      expect(first.stderr).toContain("Code42 refused to create Engineering/Sales (ORG_DUPLICATE)")
      // Fresh, and Engineering/Sales once: the create of Fresh in the same apply does not void the refusal.
      expect(creates(sim.requests()).map((request) => request.status).sort()).toEqual([200, 409])
      expect(named(sim, "Fresh")).toHaveLength(1)

      const out = path.join(ws.dir, "plan.json")
      const planned = yield* orgsync(["plan", ...common, "--format", "json", "--out", out])
      expect(planned.code).toBe(2)
      const plan = JSON.parse(fs.readFileSync(out, "utf8"))
      expect(plan.changes).toEqual([])
      expect(plan.conflicts).toMatchObject([{ kind: "refused-by-code42", path: "Engineering/Sales" }])

      sim.clearRequests()
      const again = yield* orgsync(["apply", ...common, "--yes"])
      expect(again.code).toBe(1)
      expect(again.stderr).toContain("ORG_DUPLICATE")
      expect(creates(sim.requests())).toEqual([])

      ws.write(tree("Sales EU"))
      const renamed = yield* orgsync(["apply", ...common, "--yes"])
      expect(renamed.code, renamed.stderr).toBe(0)
      expect(named(sim, "Sales EU")).toHaveLength(1)
      expect(named(sim, "EMEA")).toHaveLength(1)
    }), 90_000)

  it.scopedLive("an unblock refused under an org blocked meanwhile names that org and is not retried", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const engineering = named(sim, "Engineering")[0]!
      const platform = named(sim, "Platform")[0]!
      yield* byHand(sim, "PUT", `/api/v1/OrgBlock/${platform.orgId}`)
      let blockedMeanwhile = false
      const url = yield* proxy(sim.url, {
        before: async (request) => {
          const unblock = /unblock/i.test(request.url) || request.method === "DELETE" && /OrgBlock/i.test(request.url)
          if (!unblock || blockedMeanwhile) return
          blockedMeanwhile = true
          await Effect.runPromise(byHand(sim, "PUT", `/api/v1/OrgBlock/${engineering.orgId}`))
        }
      })
      const ws = workspace(`root: "${engineering.orgUid}"\norgs:\n  - name: Platform\n`)
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", url]

      const applied = yield* orgsync(["apply", ...common, "--yes"])
      expect(blockedMeanwhile).toBe(true)
      expect(applied.code).toBe(1)
      expect(applied.stderr).toContain(`the managed root Engineering (${engineering.orgUid}) is blocked`)
      expect(named(sim, "Platform")).toMatchObject([{ blocked: true }])
      const unblocks = sim.requests().filter((r) => /unblock/i.test(r.path) || r.method === "DELETE")
      expect(unblocks).toHaveLength(1)
      expect(unblocks[0]!.status).toBeGreaterThanOrEqual(400)
    }), 60_000)
})
