/**
 * Drift in detail, as `orgsync run` shows it against the simulator: the value orgsync applied is the one it
 * wrote; for a field of an org orgsync found as the files ask and never wrote, it says so instead of a value.
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { workspace } from "../support/cli.js"
import { getJson, startDaemon, until } from "../support/daemon.js"
import { byHand, named, start } from "../support/simulator.js"
import { StateDb } from "@c42/reconcile"

interface Drift {
  readonly path: string
  readonly field: string
  readonly applied?: string | null
  readonly current: string | null
}

interface Status {
  readonly drift: ReadonlyArray<Drift>
}

describe("orgsync run: drift in detail", () => {
  it.scopedLive("a field orgsync never wrote is shown as never applied by orgsync, not as the value it was found at", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      // Sales is in the tenant as the file asks: orgsync never writes it. Support is created by orgsync.
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n    extRef: S-0\n  - name: Support\n")
      const daemon = yield* startDaemon(
        ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--drift", "report", "--interval", "1h"]
      )
      yield* until(() => named(sim, "Support").length === 1, 30_000, daemon.output)
      yield* until(
        () => fetch(`${daemon.url}/api/status`).then((r) => r.json() as Promise<{ recentPasses: ReadonlyArray<unknown> }>)
          .then((s) => s.recentPasses.length > 0),
        30_000,
        daemon.output
      )
      for (const name of ["Sales", "Support"]) {
        yield* byHand(sim, "PUT", `/api/v1/OrgBlock/${named(sim, name)[0]!.orgId}`)
      }
      yield* Effect.promise(() => fetch(`${daemon.url}/api/refresh`, { method: "POST" }))
      yield* until(
        () => fetch(`${daemon.url}/api/status`).then((r) => r.json() as Promise<Status>).then((s) => s.drift.length === 2),
        30_000,
        daemon.output
      )
      const { drift } = yield* getJson<Status>(`${daemon.url}/api/status`)
      const sales = drift.find((d) => d.path === "Sales")!
      expect(sales).toMatchObject({ field: "status", current: "blocked" })
      expect("applied" in sales).toBe(false)
      expect(drift.find((d) => d.path === "Support")).toMatchObject({ field: "status", applied: "active", current: "blocked" })

      const page = (yield* Effect.promise(() => fetch(`${daemon.url}/`).then((r) => r.text()))).replace(/<[^>]+>/g, " ")
      expect(page).toMatch(/Sales\s+status\s+never applied by orgsync\s+blocked/)
      expect(page).toMatch(/Support\s+status\s+active\s+blocked/)

      // The run history says the same.
      const recorded = yield* Effect.gen(function*() {
        const db = yield* StateDb.StateReader
        const last = (yield* db.recentRuns(5)).find((run) => run.finishedAt !== null)!
        return yield* db.drift.ofRun(last.id)
      }).pipe(Effect.provide(StateDb.layerReadOnly(ws.state, { missing: "fail" })), Effect.provide(NodeContext.layer))
      expect(recorded.map(({ applied, field, path }) => ({ path, field, applied }))).toEqual([
        { path: "Sales", field: "status", applied: undefined },
        { path: "Support", field: "status", applied: "active" }
      ])
      expect(named(sim, "Sales")[0]!.blocked).toBe(true)
    }), 120_000)
})
