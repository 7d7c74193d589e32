/**
 * `orgsync suspend` is a promise about Code42: once it is answered, no write of the daemon reaches Code42, neither
 * a first attempt nor a retry of a write whose answer was lost. `orgsync run` as a process against the real
 * simulator, whose answers to writes are lost (the write done, its answer a 500 or a dropped connection).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { admin, auditLines, statusOf, statusUntil } from "../support/admin-api.js"
import { credentials, workspace } from "../support/cli.js"
import { startDaemon, until } from "../support/daemon.js"
import { writes } from "../support/request-log.js"
import { named, start } from "../support/simulator.js"

const token = "suspend-writes-token-0123456789"
const env = { ...credentials, ORGSYNC_ADMIN_TOKEN: token }

/** A daemon on `orgs` against a new simulator, once its first pass has converged; `passes`: how many it has made. */
const converged = (orgs: string) =>
  Effect.gen(function*() {
    const sim = yield* start()
    const ws = workspace(orgs)
    const daemon = yield* startDaemon(
      ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--interval", "1h"],
      env
    )
    yield* statusUntil(daemon, (s) => s.recentPasses.length > 0 && s.pending?.changes.length === 0)
    const passes = (yield* statusOf(daemon)).recentPasses.length
    return { sim, ws, daemon, passes }
  })

describe("orgsync run: suspend stops the writes in flight", () => {
  it.scopedLive("a write retried after lost answers sends nothing once the suspension is answered; resume converges without sending it again", () =>
    Effect.gen(function*() {
      const orgs = "orgs:\n  - name: Engineering\n  - name: Sales\n    extRef: S-0\n"
      const { daemon, passes, sim, ws } = yield* converged(orgs)

      // Every answer to a write is lost from now on: the block is done at its first attempt, and retried.
      sim.setFaults({ lostResponseRate: 1 })
      sim.clearRequests()
      ws.write(orgs + "    status: blocked\n")
      yield* until(() => writes(sim.requests()).length > 0, 30_000, daemon.output)
      yield* Effect.sleep("2500 millis")

      const answer = yield* Effect.promise(() =>
        fetch(`${daemon.url}/api/suspend`, { method: "POST", headers: { Authorization: `Bearer ${token}` } })
          .then(async (r) => ({ status: r.status, body: await r.json() as unknown }))
      )
      const suspendedAt = Date.now()
      expect(answer).toEqual({ status: 200, body: { suspended: true, changed: true } })
      const sentBefore = writes(sim.requests()).length

      // The pass ends; the retries the client had left would have been sent by now.
      yield* statusUntil(daemon, (s) => s.suspended && s.recentPasses.length > passes && s.runningSince === null)
      yield* Effect.sleep("6 seconds")
      const after = sim.requests().filter((r) => Date.parse(r.time) > suspendedAt)
      expect(writes(after).map((w) => `${w.method} ${w.path}`), "writes that reached Code42 after the suspension")
        .toEqual([])
      expect(writes(sim.requests())).toHaveLength(sentBefore)
      expect(named(sim, "Sales")[0]!.blocked).toBe(true)
      // Cut short, the block's outcome is unknown until the re-read, which finds it done.
      expect(auditLines(daemon.output()).map((a) => `${a.action} ${a.path} ${a.result}`)).toEqual(["block Sales unknown"])
      expect(daemon.output()).toContain("suspended during the pass: nothing is left pending, the writes cut short were found done")
      expect((yield* statusOf(daemon)).pending?.changes).toEqual([])

      sim.setFaults({ lostResponseRate: 0 })
      yield* admin(daemon, token, "resume")
      yield* statusUntil(daemon, (s) => !s.suspended && s.recentPasses.length > passes + 1 && s.runningSince === null)
      const status = yield* statusOf(daemon)
      expect(status.pending?.changes).toEqual([])
      expect(status.recentPasses[0]).toMatchObject({ result: "converged", failed: 0 })
      expect(writes(sim.requests()), "writes after resume").toHaveLength(sentBefore)
      expect(named(sim, "Sales")).toHaveLength(1)
    }), 120_000)

  it.scopedLive("a suspension during a pass says how many changes it leaves pending, in the singular for one", () =>
    Effect.gen(function*() {
      const orgs = "orgs:\n  - name: Engineering\n  - name: Sales\n"
      const { daemon, passes, sim, ws } = yield* converged(orgs)

      // Every call to Code42 now takes 2 s: the pass the file change starts is still reading when suspend comes.
      sim.setFaults({ latencyMs: 2000 })
      ws.write(orgs + "  - name: Support\n")
      yield* statusUntil(daemon, (s) => s.runningSince !== null)
      yield* admin(daemon, token, "suspend")
      yield* statusUntil(daemon, (s) => s.recentPasses.length > passes && s.runningSince === null)
      expect(named(sim, "Support")).toHaveLength(0)
      expect(daemon.output()).toContain(
        "suspended during the pass: the writes not yet sent are left pending (1 change) until orgsync resume"
      )
      expect(daemon.output()).not.toContain("(1 changes)")
    }), 120_000)
})
