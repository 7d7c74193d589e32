/**
 * `orgsync run` as a process against the real simulator: converge, follow edits, ignore a broken file,
 * heal drift on the interval, refuse a second daemon, and stop cleanly on SIGTERM.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { NodeContext } from "@effect/platform-node"
import * as fs from "node:fs"
import { orgsync, workspace } from "../support/cli.js"
import { getJson, startDaemon, until } from "../support/daemon.js"
import { byHand, named, start } from "../support/simulator.js"
import { StateDb } from "@c42/reconcile"

interface Status {
  readonly ready: boolean
  readonly inSync: boolean
  readonly desired: { readonly valid: boolean; readonly issues: ReadonlyArray<{ line: number; column: number }> }
}

/** Creates in the simulator's request log, in either API family. */
const creates = (sim: { requests: () => ReadonlyArray<{ method: string; path: string }> }) =>
  sim.requests().filter((r) => r.method === "POST" && /\/(orgs|org)\/?$/i.test(r.path))

describe("orgsync run", () => {
  it.scoped("converges, follows edits, ignores a broken file and heals drift", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n")
      const daemon = yield* startDaemon(["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--interval", "5s"])
      const status = () => fetch(`${daemon.url}/api/status`).then((r) => r.json() as Promise<Status>)

      yield* until(() => fetch(`${daemon.url}/readyz`).then((r) => r.ok), 15_000, daemon.output)

      ws.write("orgs:\n  - name: Engineering\n  - name: Sales\n  - name: Support\n")
      yield* until(() => named(sim, "Support").length === 1, 15_000, daemon.output)

      // A broken file: reported, unready, and no write follows it.
      sim.clearRequests()
      ws.write("orgs:\n  - name: Engineering\n  - name: Sales\n    status: gone\n  - name: Legal\n")
      yield* until(() => fetch(`${daemon.url}/readyz`).then((r) => r.status === 503), 15_000, daemon.output)
      const broken = yield* getJson<Status>(`${daemon.url}/api/status`)
      expect(broken.desired.valid).toBe(false)
      expect(broken.desired.issues[0]).toMatchObject({ line: 4, column: 13 })
      expect(daemon.output()).toContain(`${ws.desired}:4:13:`)
      const metrics = yield* Effect.promise(() => fetch(`${daemon.url}/metrics`).then((r) => r.text()))
      expect(metrics).toMatch(/^orgsync_desired_valid 0$/m)
      // The bundle knows the commit it was built from (marked when the checkout had changes).
      expect(metrics).toMatch(/^orgsync_build_info\{commit="[0-9a-f]{7,}(\+modified)?",node="v[\d.]+",version="[\d.]+"\} 1$/m)
      // Drift made by hand meanwhile is healed on the interval, from the last good state: no write from the bad one.
      yield* byHand(sim, "PUT", `/api/v1/OrgBlock/${named(sim, "Sales")[0]!.orgId}`)
      yield* until(() => named(sim, "Sales")[0]!.blocked === false, 15_000, daemon.output)
      expect(named(sim, "Legal")).toHaveLength(0)
      expect(creates(sim)).toEqual([])

      ws.write("orgs:\n  - name: Engineering\n  - name: Sales\n  - name: Legal\n")
      yield* until(() => named(sim, "Legal").length === 1, 15_000, daemon.output)
      yield* until(() => fetch(`${daemon.url}/readyz`).then((r) => r.ok), 15_000, daemon.output)
      yield* until(() => status().then((s) => s.inSync), 15_000, daemon.output)
    }))

  it.scoped("refuses a second daemon on the same state database, stops on SIGTERM, and the next start settles what it cut off", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n")
      const args = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      const daemon = yield* startDaemon(args)
      yield* until(() => fs.existsSync(`${ws.state}.lock`), 15_000, daemon.output)

      const second = yield* orgsync(["run", ...args, "--listen", "127.0.0.1:0"])
      expect(second.code).toBe(1)
      expect(second.stderr).toContain(String(daemon.process.pid))

      yield* until(() => named(sim, "Engineering").length === 1, 15_000, daemon.output)
      ws.write("orgs:\n  - name: Engineering\n" + Array.from({ length: 40 }, (_, i) => `  - name: Team ${i}\n`).join(""))
      yield* until(() => named(sim, "Team 3").length > 0, 15_000, daemon.output)
      const started = Date.now()
      daemon.process.kill("SIGTERM")
      const code = yield* Effect.promise(() => daemon.exited)
      expect(code).toBe(0)
      expect(Date.now() - started).toBeLessThan(10_000)
      expect(fs.existsSync(`${ws.state}.lock`)).toBe(false)
      // Writes cut off by SIGTERM stay in the journal; the next start resolves them, creating nothing twice.
      const next = yield* orgsync(["apply", ...args, "--yes"])
      expect(next.code, next.stderr).toBe(0)
      for (let i = 0; i < 40; i++) expect(named(sim, `Team ${i}`), `Team ${i}`).toHaveLength(1)
      const open = yield* Effect.flatMap(StateDb.StateDb, (db) => db.unsettled).pipe(
        Effect.provide(StateDb.layer(ws.state)),
        Effect.provide(NodeContext.layer)
      )
      expect(open).toEqual([])
    }))
})
