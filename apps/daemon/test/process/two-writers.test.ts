/**
 * One writer per tenant: two orgsync instances with their own state databases on one tenant (a CI apply beside
 * the daemon, two replicas) must not fight for ever. Each notices the org it wrote being changed back, stops
 * writing to it after the second flip and reports it as `contested`; a twin of a managed org is a `duplicate`
 * that is never pruned.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { orgsync, workspace } from "../support/cli.js"
import { getJson, passOnce, startDaemon, until } from "../support/daemon.js"
import { writes } from "../support/request-log.js"
import { byHand, named, start } from "../support/simulator.js"

interface JsonPlan {
  readonly conflicts: ReadonlyArray<{ readonly kind: string; readonly path: string }>
}

const tree = "prune: deactivate\norgs:\n  - name: Engineering\n    children:\n      - name: Platform\n  - name: Sales\n"

describe("two writers on one tenant", () => {
  it.scoped("end in contested conflicts after a bounded number of writes, not in an endless fight", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      // Each prunes what only the other one wants.
      const a = workspace(`${tree}  - name: Support\n`)
      const b = workspace(`${tree}  - name: Helpdesk\n`)
      const args = (ws: typeof a) => ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      const writesSoFar: Array<number> = []
      let last = { a: { code: 0, stderr: "" }, b: { code: 0, stderr: "" } }
      for (let turn = 0; turn < 6; turn++) {
        const byA = yield* orgsync(["apply", ...args(a), "--yes"])
        const byB = yield* orgsync(["apply", ...args(b), "--yes"])
        last = { a: byA, b: byB }
        writesSoFar.push(writes(sim.requests()).length)
      }
      // The last turns write nothing: both have stopped writing to what the other changes back.
      expect(writesSoFar.at(-1), writesSoFar.join(",")).toBe(writesSoFar.at(-3))
      expect(writesSoFar.at(-1)!).toBeLessThanOrEqual(10)
      expect(last.a.code).toBe(1)
      expect(last.b.code).toBe(1)
      expect(last.a.stderr).toMatch(/conflict: Support: .*another writer/)
      expect(last.b.stderr).toMatch(/conflict: Helpdesk: .*another writer/)

      const planned = yield* orgsync(["plan", ...args(a), "--format", "json"])
      expect((JSON.parse(planned.stdout) as JsonPlan).conflicts).toEqual([
        expect.objectContaining({ kind: "contested", path: "Support" })
      ])
    }), 240_000)

  it.scoped("a daemon beside a CI apply: contested on /api/status, the page, the metrics and the log (once), and not ready", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const a = workspace(`${tree}  - name: Support\n`)
      const b = workspace(`${tree}  - name: Helpdesk\n`)
      const daemon = yield* startDaemon(["--desired", a.desired, "--state", a.state, "--url", sim.url, "--interval", "5s"])
      yield* until(() => named(sim, "Support").length === 1, 30_000, daemon.output)
      const status = () =>
        getJson<{ conflicts?: ReadonlyArray<{ kind: string }>; pending?: { conflicts: ReadonlyArray<{ kind: string }> } }>(
          `${daemon.url}/api/status`
        )
      const contested = (s: Effect.Effect.Success<ReturnType<typeof status>>) =>
        (s.pending?.conflicts ?? s.conflicts ?? []).some((c) => c.kind === "contested")
      for (let turn = 0; turn < 8 && !contested(yield* status()); turn++) {
        yield* orgsync(["apply", "--desired", b.desired, "--state", b.state, "--url", sim.url, "--yes"])
        // Give the daemon a pass in between.
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 6_000)))
      }
      yield* until(() => Effect.runPromise(status()).then(contested), 30_000, daemon.output)
      const ready = yield* Effect.promise(() => fetch(`${daemon.url}/readyz`))
      expect(ready.status).toBe(503)
      expect(yield* Effect.promise(() => ready.text())).toContain("contested")
      const metrics = yield* Effect.promise(() => fetch(`${daemon.url}/metrics`).then((r) => r.text()))
      expect(metrics).toMatch(/^orgsync_conflicts\{kind="contested"\} 1$/m)
      const page = yield* Effect.promise(() => fetch(`${daemon.url}/`).then((r) => r.text()))
      expect(page).toContain("contested")
      expect(daemon.output()).toMatch(/level=WARN .*contested: Support was changed back twice/)
      // Told in the log when it starts, not again at every pass while it stays.
      yield* passOnce(daemon)
      yield* passOnce(daemon)
      expect(daemon.output().split("\n").filter((line) => /level=WARN .*contested: Support/.test(line))).toHaveLength(1)
    }), 360_000)

  it.scoped("never prunes an active twin of a managed org: both are a duplicate conflict", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(`${tree}  - name: Support\n`)
      const args = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      expect((yield* orgsync(["apply", ...args, "--yes"])).code).toBe(0)
      // Another writer creates the same org again beside it.
      yield* byHand(sim, "POST", "/api/v1/Org", { orgName: "Support" })
      const applied = yield* orgsync(["apply", ...args, "--yes"])
      expect(named(sim, "Support")).toMatchObject([{ active: true }, { active: true }])
      expect(applied.code).toBe(1)
      expect(applied.stderr).toMatch(/conflict: Support: 2 active Code42 orgs named "Support"/)
    }), 120_000)
})
