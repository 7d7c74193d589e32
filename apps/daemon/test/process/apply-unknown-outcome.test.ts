/**
 * A create whose answer is lost, against a Code42 whose listings show a new org only seconds after its create:
 * `orgsync apply` sends the create once, says its outcome is unknown and when it would be tried again, and exits
 * 1; a later apply that finds the org listed adopts it, never creating a twin. On every API family.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Simulator } from "@c42/simulator"
import { Duration, Effect, TestClock } from "effect"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { named, start } from "../support/simulator.js"

const timeout = 180_000

const apiClient = { CODE42_CLIENT_ID: "key-gw", CODE42_CLIENT_SECRET: "gw-secret" }

const families = [
  { api: "v1", account: credentials },
  { api: "v3", account: credentials },
  { api: "gateway", account: apiClient }
] as const

/** Every create sent, on any family. */
const creates = (sim: Simulator.Handle) =>
  sim.requests().filter((r) => r.method === "POST" && /^(\/api\/v1\/Org\/?|\/api\/v3\/orgs|\/v1\/orgs)$/.test(r.path))

/** How long the simulator's listings lag its creates (on the test's clock, which the simulator reads). */
const lag = Duration.seconds(4)

describe("apply, a create whose outcome is unknown and a listing that lags", () => {
  for (const { account, api } of families) {
    it.scoped(`${api}: sends the create once, exits 1 saying so, and a later apply adopts the org`, () =>
      Effect.gen(function*() {
        const sim = yield* start({
          users: [{ username: "admin", password: "secret" }],
          apiClients: [{ clientId: apiClient.CODE42_CLIENT_ID, secret: apiClient.CODE42_CLIENT_SECRET }],
          faults: { lostResponseRate: 1, listingLagMs: Duration.toMillis(lag) }
        })
        const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n  - name: Brand New\n")
        const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
        const run = (args: ReadonlyArray<string>) => orgsync(args, { ORGSYNC_API: api }, account)

        const first = yield* run(["apply", ...common, "--yes"])
        expect(first.code, first.stdout + first.stderr).toBe(1)
        expect(creates(sim)).toHaveLength(1)
        expect(named(sim, "Brand New")).toHaveLength(1)
        expect(first.stdout).not.toContain("Code42 matches")
        expect(first.stderr).toMatch(
          /the create of Brand New sent at \S+ has an unknown outcome and Code42 does not list it yet: orgsync does not create it again before \S+, and then only if Code42 still does not list it; run again after that time/
        )

        // Before the listing shows it, a plan shows it awaited in every format, not as a create to send.
        const planned = yield* run(["plan", ...common, "--format", "json"])
        const plan = JSON.parse(planned.stdout) as {
          changes: ReadonlyArray<{ action: string; path: string }>
          conflicts: ReadonlyArray<{ kind: string; path: string }>
        }
        expect(plan.changes).toEqual([])
        expect(plan.conflicts).toMatchObject([{ kind: "outcome-unknown", path: "Brand New" }])
        const text = yield* run(["plan", ...common])
        expect(text.stdout).toMatch(/! outcome-unknown +Brand New: the create of Brand New/)
        expect(text.stdout).not.toContain("+ create")
        const markdown = yield* run(["plan", ...common, "--format", "markdown"])
        expect(markdown.stdout).toMatch(/\| outcome-unknown \| Brand New \|/)
        expect(creates(sim)).toHaveLength(1)

        yield* TestClock.adjust(lag)
        sim.setFaults({ lostResponseRate: 0 })
        const second = yield* run(["apply", ...common, "--yes"])
        expect(second.code, second.stdout + second.stderr).toBe(0)
        expect(creates(sim)).toHaveLength(1)
        expect(named(sim, "Brand New")).toHaveLength(1)
        const after = yield* run(["plan", ...common])
        expect(after.code, after.stdout + after.stderr).toBe(0)
        expect(after.stdout).toContain("No changes")
      }), timeout)
  }
})
