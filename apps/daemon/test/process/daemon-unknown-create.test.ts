/**
 * The daemon and a create whose answer is lost, against a Code42 whose listings show a new org only seconds
 * after its create: the pass waits for the listing, adopts the org once listed, and converges with one create. A
 * suspension ends the wait at once.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Simulator } from "@c42/simulator"
import { Effect } from "effect"
import { statusOf, statusUntil } from "../support/admin-api.js"
import { credentials, workspace } from "../support/cli.js"
import { startDaemon, until } from "../support/daemon.js"
import { named, start } from "../support/simulator.js"

const creates = (sim: Simulator.Handle) => sim.requests().filter((r) => r.method === "POST" && r.path === "/api/v3/orgs")

describe("orgsync run: a create whose outcome is unknown", () => {
  it.scopedLive("is sent once, waited for while Code42 does not list it, adopted once listed: converged", () =>
    Effect.gen(function*() {
      const sim = yield* start({ faults: { lostResponseRate: 1, listingLagMs: 3000 } })
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n  - name: Brand New\n")
      const daemon = yield* startDaemon(
        ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--interval", "5s"],
        credentials
      )
      yield* statusUntil(daemon, (s) => s.recentPasses.length > 0)
      // Given the time of several more passes: none creates it again.
      yield* Effect.sleep("6 seconds")
      yield* statusUntil(daemon, (s) => s.recentPasses[0]?.result === "converged")
      expect(creates(sim)).toHaveLength(1)
      expect(named(sim, "Brand New")).toHaveLength(1)
      expect(daemon.output()).toMatch(/create of Brand New .*confirmed by a later listing/)
    }), 120_000)

  it.scopedLive("a suspension ends the wait at once: the pass stops, nothing is sent again", () =>
    Effect.gen(function*() {
      const token = "unknown-create-token-0123456789"
      const sim = yield* start({ faults: { lostResponseRate: 1, listingLagMs: 60_000 } })
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n  - name: Brand New\n")
      const daemon = yield* startDaemon(
        ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--interval", "1h"],
        { ...credentials, ORGSYNC_ADMIN_TOKEN: token }
      )
      yield* until(() => /waiting \S+ to read Code42 again for Brand New/.test(daemon.output()), 30_000, daemon.output)
      const suspended = yield* Effect.promise(() =>
        fetch(`${daemon.url}/api/suspend`, { method: "POST", headers: { Authorization: `Bearer ${token}` } })
          .then((r) => r.status)
      )
      expect(suspended).toBe(200)
      const askedAt = Date.now()
      yield* statusUntil(daemon, (s) => s.suspended && s.recentPasses.length > 0 && s.runningSince === null)
      expect(Date.now() - askedAt).toBeLessThan(3000)
      const [pass] = (yield* statusOf(daemon)).recentPasses
      expect(pass?.result).toBe("pending")
      expect(pass?.errors.join("\n")).toContain("outcome unknown: the create of Brand New")
      expect(creates(sim)).toHaveLength(1)
    }), 120_000)
})
