/**
 * The daemon and a create whose answer is lost, against a Code42 whose listings show a new org only seconds
 * after its create: the pass waits for the listing, adopts the org once listed, and converges with one create.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Simulator } from "@c42/simulator"
import { Effect } from "effect"
import { statusUntil } from "../support/admin-api.js"
import { credentials, workspace } from "../support/cli.js"
import { startDaemon } from "../support/daemon.js"
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
})
