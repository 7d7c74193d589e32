/**
 * What `orgsync run --notify` tells a loopback receiver, as a process against the simulator: a write Code42
 * refuses is a failed write, told once, and its end a recovery; what was told before a restart is not told
 * again after it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { credentials, workspace } from "../support/cli.js"
import { passOnce, startDaemon, until } from "../support/daemon.js"
import { byHand, named, start } from "../support/simulator.js"
import { receiver } from "../support/webhook.js"

/** Engineering/`name`; "Sales" is already the name of an org elsewhere in the tenant. */
const tree = (name: string) =>
  `orgs:\n  - name: Engineering\n    children:\n      - name: Platform\n      - name: ${name}\n` +
  "  - name: Sales\n    extRef: S-0\n"

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

  it.scopedLive("a held change and drift told before a restart are not told again after it; a new held change is", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const hook = yield* receiver()
      const orgs = "orgs:\n  - name: Engineering\n  - name: Sales\n    status: deactivated\n  - name: Support\n"
      const ws = workspace(orgs)
      const args = [
        "--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--interval", "1h", "--notify", hook.url,
        "--destructive", "confirm", "--drift", "report"
      ]
      const daemon = yield* startDaemon(args, { ...credentials, ORGSYNC_ADMIN_TOKEN: "notify-admin-token-0123456789" })
      const events = () => hook.received().map((r) => r.body.event)
      yield* until(() => events().includes("held"), 30_000, daemon.output)
      yield* byHand(sim, "PUT", `/api/v1/OrgBlock/${named(sim, "Support")[0]!.orgId}`)
      yield* passOnce(daemon)
      yield* until(() => events().includes("drift"), 30_000, daemon.output)
      expect(events()).toEqual(["held", "drift"])
      daemon.process.kill("SIGTERM")
      expect(yield* Effect.promise(() => daemon.exited)).toBe(0)

      const again = yield* startDaemon(args, { ...credentials, ORGSYNC_ADMIN_TOKEN: "notify-admin-token-0123456789" })
      yield* passOnce(again)
      // A new held change after the restart: told, and alone (notifications are sent in order).
      ws.write(orgs.replace("  - name: Support\n", "  - name: Support\n  - name: Legal\n    status: blocked\n"))
      const legal = (r: { readonly body: Record<string, unknown> }) => JSON.stringify(r.body.details).includes("Legal")
      yield* until(() => hook.received().some(legal), 30_000, again.output)
      expect(events()).toEqual(["held", "drift", "held"])
      expect(hook.received()[2]!.body.details).toMatchObject({ held: [{ action: "block", path: "Legal" }] })
    }), 120_000)
})
