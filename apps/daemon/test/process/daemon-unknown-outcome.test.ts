/**
 * The daemon and a create whose answer is lost, against a Code42 whose listings show a new org only seconds
 * after its create: the pass reports the create pending (its outcome unknown), later passes re-read, and the
 * org, once listed, is adopted: one create only, converged.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type StatusView, statusOf, statusUntil } from "../support/admin-api.js"
import { credentials, workspace } from "../support/cli.js"
import { startDaemon } from "../support/daemon.js"
import { named, start } from "../support/simulator.js"

const creates = (sim: { requests: () => ReadonlyArray<{ method: string; path: string }> }) =>
  sim.requests().filter((r) => r.method === "POST" && r.path === "/api/v3/orgs")

describe("orgsync run: a create whose outcome is unknown", () => {
  it.scopedLive("is sent once, reported pending while Code42 does not list it, and adopted once listed", () =>
    Effect.gen(function*() {
      const sim = yield* start({ faults: { lostResponseRate: 1, listingLagMs: 4000 } })
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n  - name: Brand New\n")
      const daemon = yield* startDaemon(
        ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--interval", "5s"],
        credentials
      )
      const seen: Array<StatusView["recentPasses"][number]> = []
      yield* statusUntil(daemon, (s) => {
        seen.push(...s.recentPasses)
        return s.recentPasses[0]?.result === "converged"
      })
      expect(creates(sim)).toHaveLength(1)
      expect(named(sim, "Brand New")).toHaveLength(1)
      const pending = seen.find((pass) => pass.result === "pending")
      expect(pending?.errors.join("\n")).toContain("the create of Brand New sent at")
      const status = yield* statusOf(daemon)
      expect(status.pending?.changes).toEqual([])
    }), 120_000)
})
