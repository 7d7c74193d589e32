/**
 * The daemon's policy holds under the ways an operator meets it: a suspension that comes while a pass is
 * writing, creates under an org that must stay blocked under `destructive: confirm`, and an update of an org
 * that was changed by hand under `drift: report`. `orgsync run` as a process against the real simulator.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { admin, statusOf, statusUntil } from "../support/admin-api.js"
import { credentials, workspace } from "../support/cli.js"
import { startDaemon, until } from "../support/daemon.js"
import { named, start } from "../support/simulator.js"

const token = "policy-safety-token-0123456789"
const env = { ...credentials, ORGSYNC_ADMIN_TOKEN: token }

const teams = Array.from({ length: 12 }, (_, i) => `Team ${String(i + 1).padStart(2, "0")}`)

describe("orgsync run: policy safety", () => {
  it.scopedLive("suspend during a pass: no write is sent after it, the rest stays pending, and resume sends it", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n")
      const daemon = yield* startDaemon(
        ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--interval", "1h"],
        env
      )
      yield* statusUntil(daemon, (s) => s.recentPasses.length > 0 && s.pending?.changes.length === 0)
      yield* admin(daemon, token, "suspend")
      ws.write("orgs:\n  - name: Engineering\n  - name: Sales\n" + teams.map((name) => `  - name: ${name}\n`).join(""))
      yield* statusUntil(daemon, (s) => s.pending?.changes.length === 12 && s.runningSince === null)
      const passes = (yield* statusOf(daemon)).recentPasses.length

      // Every call to Code42 now takes 2.5 s: the pass that resume starts is still reading when suspend comes.
      sim.setFaults({ latencyMs: 2500 })
      sim.clearRequests()
      yield* admin(daemon, token, "resume")
      yield* Effect.sleep("1200 millis")
      yield* admin(daemon, token, "suspend")
      const suspendedAt = Date.now()
      yield* statusUntil(daemon, (s) => s.recentPasses.length > passes && s.runningSince === null)

      const creates = sim.requests().filter((r) => r.method === "POST" && !r.path.includes("auth"))
      expect(creates.filter((r) => Date.parse(r.time) > suspendedAt), "creates sent after the suspension").toEqual([])
      const made = teams.filter((name) => named(sim, name).length === 1)
      expect(made.length).toBeLessThanOrEqual(8)
      const status = yield* statusOf(daemon)
      expect(status.suspended).toBe(true)
      expect(status.pending?.changes.map((c) => `${c.action} ${c.path}`)).toEqual(
        teams.filter((name) => !made.includes(name)).map((name) => `create ${name}`)
      )
      expect(status.recentPasses[0]).toMatchObject({ result: "pending", failed: 0, applied: made.length })
      expect(daemon.output()).toContain("suspended during the pass: the writes not yet sent are left pending")

      sim.setFaults({ latencyMs: 0 })
      yield* admin(daemon, token, "resume")
      yield* until(() => teams.every((name) => named(sim, name).length === 1), 30_000, daemon.output)
      yield* statusUntil(daemon, (s) => s.pending?.changes.length === 0)
    }), 120_000)
})
