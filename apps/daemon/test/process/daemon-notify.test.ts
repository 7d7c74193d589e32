/**
 * What `orgsync run --notify` tells a loopback receiver, as a process against the simulator: a write Code42
 * refuses is a failed write, told once, and its end a recovery.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { workspace } from "../support/cli.js"
import { type RunningDaemon, startDaemon, until } from "../support/daemon.js"
import { named, start } from "../support/simulator.js"
import { receiver } from "../support/webhook.js"

/** Engineering/`name`; "Sales" is already the name of an org elsewhere in the tenant. */
const tree = (name: string) =>
  `orgs:\n  - name: Engineering\n    children:\n      - name: Platform\n      - name: ${name}\n` +
  "  - name: Sales\n    extRef: S-0\n"

/** Asks for a pass and waits until it is over. */
const passOnce = (daemon: RunningDaemon) =>
  Effect.gen(function*() {
    const passes = () =>
      fetch(`${daemon.url}/api/status`).then((r) => r.json() as Promise<{ recentPasses: ReadonlyArray<unknown> }>)
        .then((s) => s.recentPasses.length)
    const before = yield* Effect.promise(passes)
    yield* Effect.promise(() => fetch(`${daemon.url}/api/refresh`, { method: "POST" }))
    yield* until(() => passes().then((n) => n > before), 30_000, daemon.output)
  })

describe("orgsync run: notifications", () => {
  it.scopedLive("a write Code42 refuses is told as a failed write, once, and the recovery once the file is fixed", () =>
    Effect.gen(function*() {
      const sim = yield* start({ rules: { uniqueNames: "tenant" } })
      const hook = yield* receiver()
      const ws = workspace(tree("Sales"))
      const daemon = yield* startDaemon([
        "--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--interval", "1h", "--notify", hook.url
      ])
      const events = () => hook.received().map((r) => r.body.event)
      yield* until(() => events().includes("failed"), 30_000, daemon.output)
      const failed = hook.received().find((r) => r.body.event === "failed")!
      expect(failed.body.text).toMatch(/^orgsync \(http:\/\/127\.0\.0\.1:\d+\): 1 write failed:\n• Code42 refused to create Engineering\/Sales \(ORG_DUPLICATE\)/)
      expect(failed.body.details).toMatchObject({
        failures: [expect.stringContaining("Code42 refused to create Engineering/Sales (ORG_DUPLICATE)")]
      })

      // The refusal stands at the next pass: not told again.
      yield* passOnce(daemon)
      expect(events().filter((event) => event === "failed")).toHaveLength(1)

      ws.write(tree("Sales EU"))
      yield* until(() => named(sim, "Sales EU").length === 1, 30_000, daemon.output)
      yield* until(() => events().includes("recovered"), 30_000, daemon.output)
      expect(events()).toEqual(["failed", "recovered"])
    }), 120_000)
})
