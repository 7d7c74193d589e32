/**
 * SIGTERM while a write is on its way: the send is interruptible (only the journal's bookkeeping is not), so
 * `apply` stops at once instead of waiting for an answer that may never come; the write it cut short stays in
 * the journal, and the next run resolves it by re-reading: the org is adopted, never created twice.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { orgsync, workspace } from "../support/cli.js"
import { until } from "../support/daemon.js"
import { spawnOrgsync } from "../support/orgsync-process.js"
import { proxy } from "../support/proxy.js"
import { named, start } from "../support/simulator.js"

describe("apply interrupted during a write", () => {
  it.scopedLive("ends promptly on SIGTERM, and the next run adopts the create it cut short", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n  - name: Support\n")
      // The create reaches Code42 only when the test lets it through: long after the process was told to stop.
      let arrived = false
      let release = () => {}
      const released = new Promise<void>((resolve) => (release = resolve))
      const url = yield* proxy(sim.url, {
        before: async (request) => {
          if (request.method !== "POST" || !/\/orgs?$/i.test(request.url.split("?")[0]!)) return
          arrived = true
          await released
        }
      })
      const child = yield* spawnOrgsync(
        ["apply", "--desired", ws.desired, "--state", ws.state, "--url", url, "--yes"],
        { CODE42_USERNAME: "admin", CODE42_PASSWORD: "secret" },
        { deadlineMillis: 60_000 }
      )
      yield* until(() => arrived, 30_000, child.stdout)
      const signalled = Date.now()
      child.kill("SIGTERM")
      const exited = yield* child.exited.pipe(
        Effect.timeoutTo({ duration: "10 seconds", onTimeout: () => undefined, onSuccess: (exit) => exit })
      )
      const stoppedAfter = Date.now() - signalled
      release()
      expect(exited, "apply was still waiting for the write 10 s after SIGTERM").toBeDefined()
      expect(stoppedAfter).toBeLessThan(5_000)

      // The held create now happens after all; the next run finds it in the journal and adopts it.
      yield* until(() => named(sim, "Support").length === 1, 15_000)
      const next = yield* orgsync(["apply", "--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--yes"])
      expect(next.code, next.stdout + next.stderr).toBe(0)
      expect(named(sim, "Support")).toHaveLength(1)
    }), 90_000)
})
