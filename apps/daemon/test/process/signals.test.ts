/**
 * Signals as an operator sends them: an apply cut short by SIGINT or SIGTERM exits 130 or 143, says what was
 * applied and what was not, and its run is recorded `interrupted`; a daemon pass cut by SIGTERM too; a run
 * whose process was killed is shown `abandoned`, not running for ever.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { spawnOrgsync } from "../support/orgsync-process.js"
import { start } from "../support/simulator.js"
import { until } from "../support/daemon.js"

const manyTeams = "orgs:\n" + Array.from({ length: 40 }, (_, i) => `  - name: Team ${i}\n`).join("")

const creates = (sim: { requests: () => ReadonlyArray<{ method: string; status: number }> }) =>
  sim.requests().filter((request) => request.method === "POST" && request.status < 300).length

describe.concurrent("signals", () => {
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    it.scopedLive(`${signal} during apply --yes exits ${code}, reports, and records the run interrupted`, () =>
      Effect.gen(function*() {
        const sim = yield* start({ faults: { latencyMs: 150 } })
        const ws = workspace(manyTeams)
        const env = { ...credentials, CODE42_URL: sim.url }
        const child = yield* spawnOrgsync(
          ["apply", "--desired", ws.desired, "--state", ws.state, "--yes"],
          env,
          { deadlineMillis: 110_000 }
        )
        yield* until(() => creates(sim) >= 2, 90_000, child.stdout)
        child.kill(signal)
        const exited = yield* child.exited
        expect(exited.code, exited.stderr).toBe(code)
        expect(exited.stdout).toMatch(/Interrupted: \d+ changes? applied, \d+ not applied/)
        expect(exited.stdout).toMatch(/Applied:\n {2}create Team \d+/)
        expect(exited.stdout).toMatch(/Not applied:\n {2}create Team \d+/)

        const status = yield* orgsync(["status", "--state", ws.state, "--desired", ws.desired])
        expect(status.code, status.stderr).toBe(0)
        expect(status.stdout).toMatch(/#1 apply .* interrupted/)
      }), 120_000)
  }

  it.scopedLive("a daemon pass cut by SIGTERM is recorded interrupted, and the daemon exits 0", () =>
    Effect.gen(function*() {
      const sim = yield* start({ faults: { latencyMs: 150 } })
      const ws = workspace(manyTeams)
      const child = yield* spawnOrgsync(
        ["run", "--desired", ws.desired, "--state", ws.state, "--listen", "127.0.0.1:0"],
        { ...credentials, CODE42_URL: sim.url },
        { deadlineMillis: 110_000 }
      )
      yield* until(() => creates(sim) >= 2, 90_000, child.stdout)
      child.kill("SIGTERM")
      const exited = yield* child.exited
      expect(exited.code, exited.stderr + exited.stdout).toBe(0)
      const status = yield* orgsync(["status", "--state", ws.state, "--desired", ws.desired])
      expect(status.stdout).toMatch(/#1 run .* interrupted/)
    }), 120_000)

  it.scopedLive("a run whose process was killed is shown abandoned", () =>
    Effect.gen(function*() {
      const sim = yield* start({ faults: { latencyMs: 150 } })
      const ws = workspace(manyTeams)
      const child = yield* spawnOrgsync(
        ["apply", "--desired", ws.desired, "--state", ws.state, "--yes"],
        { ...credentials, CODE42_URL: sim.url },
        { deadlineMillis: 110_000 }
      )
      yield* until(() => creates(sim) >= 1, 90_000, child.stdout)
      child.kill("SIGKILL")
      yield* child.exited
      const status = yield* orgsync(["status", "--state", ws.state, "--desired", ws.desired])
      expect(status.stdout).toMatch(/#1 apply .* abandoned/)
      expect(status.stdout).not.toContain("running")
    }), 120_000)
})
