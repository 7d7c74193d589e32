/**
 * A suspension binds every writer of the state database: a one-shot `orgsync apply` on the database of a daemon
 * that was suspended and then stopped refuses, says since when and how to lift it, and records a refused run;
 * `plan` still plans; started again and resumed, the daemon applies. Processes against the real simulator.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { admin, statusOf, statusUntil } from "../support/admin-api.js"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { startDaemon, until } from "../support/daemon.js"
import { writes } from "../support/request-log.js"
import { named, start } from "../support/simulator.js"

const token = "apply-suspended-token-0123456789"
const env = { ...credentials, ORGSYNC_ADMIN_TOKEN: token }

describe("orgsync apply on a suspended state database", () => {
  it.scopedLive("refuses with exit 1, writes nothing and records a refused run; plan still plans; resume lifts it", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const orgs = "orgs:\n  - name: Engineering\n  - name: Sales\n"
      const ws = workspace(orgs)
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      const daemon = yield* startDaemon([...common, "--interval", "1h"], env)
      yield* statusUntil(daemon, (s) => s.recentPasses.length > 0 && s.pending?.changes.length === 0)
      yield* admin(daemon, token, "suspend")
      const since = (yield* Effect.promise(() =>
        fetch(`${daemon.url}/api/status`).then((r) => r.json() as Promise<{ suspendedSince: string }>)
      )).suspendedSince
      daemon.process.kill("SIGTERM")
      expect(yield* Effect.promise(() => daemon.exited)).toBe(0)

      ws.write(orgs + "  - name: Support\n")
      sim.clearRequests()
      const applied = yield* orgsync(["apply", ...common, "--yes"])
      expect(applied.code, applied.stdout).toBe(1)
      expect(applied.stderr.trim()).toBe(
        `orgsync: apply refused: writes to Code42 are suspended (orgsync suspend, since ${since}) on the state ` +
          `database ${ws.state}; to lift it, run orgsync resume against the daemon, starting it first with orgsync run ` +
          "if it is stopped (it starts suspended and writes nothing until resumed)"
      )
      expect(writes(sim.requests())).toEqual([])
      expect(named(sim, "Support")).toHaveLength(0)
      const status = yield* orgsync(["status", "--state", ws.state, "--desired", ws.desired])
      const runs = status.stdout.split("\n").filter((line) => /^ {2}#\d+ /.test(line))
      expect(runs[0], status.stdout).toMatch(/^ {2}#\d+ apply \S+ refused $/)
      expect(status.stdout).toContain("      apply refused: writes to Code42 are suspended")
      // Nothing else recorded: the refused run follows the daemon's passes.
      expect(runs.slice(1).every((line) => / run /.test(line)), status.stdout).toBe(true)

      const plan = yield* orgsync(["plan", ...common])
      expect(plan.code, plan.stderr).toBe(2)
      expect(plan.stdout).toContain("Support")
      expect(plan.stderr.trim()).toBe(
        `orgsync plan: note: writes to Code42 are suspended (orgsync suspend, since ${since}): apply refuses until orgsync resume`
      )
      const offline = yield* orgsync(["plan", ...common, "--offline"])
      expect(offline.code, offline.stderr).toBe(2)
      expect(offline.stderr).toContain("orgsync plan: note: writes to Code42 are suspended")

      // As the refusal says: the daemon started again stays suspended until resumed.
      const again = yield* startDaemon([...common, "--interval", "1h"], env)
      yield* statusUntil(again, (s) => s.recentPasses.length > 0 && s.runningSince === null)
      expect((yield* statusOf(again)).suspended).toBe(true)
      expect(named(sim, "Support")).toHaveLength(0)
      yield* admin(again, token, "resume")
      yield* until(() => named(sim, "Support").length === 1, 30_000, again.output)
      again.process.kill("SIGTERM")
      expect(yield* Effect.promise(() => again.exited)).toBe(0)
      expect((yield* orgsync(["apply", ...common, "--yes"])).code).toBe(0)
      expect(yield* orgsync(["plan", ...common])).toMatchObject({ code: 0, stderr: "" })
    }), 120_000)
})
