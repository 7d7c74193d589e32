/**
 * A create whose outcome is unknown (its answer lost, a 5xx after it was sent) or answered with success but
 * without the new org, against a Code42 whose listings show a new org only seconds after its create: one
 * `orgsync apply` waits for the listing and sends the create once, on every API family. A 503 refusal whose
 * absence a later create listed proves is created again at once, without waiting out the confirmation window.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Simulator } from "@c42/simulator"
import { Effect } from "effect"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { spawnOrgsync } from "../support/orgsync-process.js"
import { proxy } from "../support/proxy.js"
import { named, start } from "../support/simulator.js"

const timeout = 120_000

const apiClient = { CODE42_CLIENT_ID: "key-gw", CODE42_CLIENT_SECRET: "gw-secret" }

const families = [
  { api: "v1", account: credentials },
  { api: "v3", account: credentials },
  { api: "gateway", account: apiClient }
] as const

const createPath = /^(\/api\/v1\/Org\/?|\/api\/v3\/orgs|\/v1\/orgs)$/

/** Every create the simulator received, on any family. */
const creates = (sim: Simulator.Handle) => sim.requests().filter((r) => r.method === "POST" && createPath.test(r.path))

/** How long the simulator's listings lag its creates. */
const lagMs = 3000

const desired = "orgs:\n  - name: Engineering\n  - name: Sales\n  - name: Brand New\n"

const lagging = (faults: Partial<Simulator.Faults>) =>
  start({
    users: [{ username: "admin", password: "secret" }],
    apiClients: [{ clientId: apiClient.CODE42_CLIENT_ID, secret: apiClient.CODE42_CLIENT_SECRET }],
    faults: { listingLagMs: lagMs, ...faults }
  })

describe("apply, a create of unknown outcome and a listing that lags", () => {
  for (const { account, api } of families) {
    for (const { faults, what } of [
      { what: "its answer lost (a 500 after the write or a cut connection)", faults: { lostResponseRate: 1 } },
      { what: "answered 200 with an empty body", faults: { emptyAnswerRate: 1 } }
    ]) {
      it.scopedLive(`${api}: ${what}: sends the create once, waits for the listing, converges`, () =>
        Effect.gen(function*() {
          const sim = yield* lagging(faults)
          const ws = workspace(desired)
          const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
          const run = (args: ReadonlyArray<string>) => orgsync(args, { ORGSYNC_API: api }, account)

          const applied = yield* run(["apply", ...common, "--yes"])
          expect(applied.code, applied.stdout + applied.stderr).toBe(0)
          expect(creates(sim)).toHaveLength(1)
          expect(named(sim, "Brand New")).toHaveLength(1)
          expect(applied.stdout).toContain("Code42 matches")
          expect(applied.stderr).toMatch(/create of Brand New .*confirmed by a later listing/)
          // Its audit line stays as it was answered.
          expect(applied.stderr.match(/message=audit .*result=unknown action=create/g)).toHaveLength(1)

          const after = yield* run(["plan", ...common])
          expect(after.code, after.stdout + after.stderr).toBe(0)
          expect(after.stdout).toContain("No changes")
          expect(creates(sim)).toHaveLength(1)
        }), timeout)
    }
  }

  it.scopedLive("a 503 refusal is created again at once when a later create shows in the listing", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      let refused = 0
      const url = yield* proxy(sim.url, {
        intercept: (request) => {
          if (refused > 0 || request.method !== "POST" || !createPath.test(request.url)) return undefined
          refused++
          return { status: 503, body: JSON.stringify([{ name: "SYSTEM", description: "Service Unavailable" }]) }
        }
      })
      // Brand New is refused; Zeta New, answered after it, is listed at once (no lag here).
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n  - name: Brand New\n  - name: Zeta New\n")
      const startedAt = Date.now()
      const applied = yield* orgsync(["apply", "--desired", ws.desired, "--state", ws.state, "--url", url, "--yes"])
      const tookMs = Date.now() - startedAt
      expect(applied.code, applied.stdout + applied.stderr).toBe(0)
      expect(refused).toBe(1)
      expect(creates(sim)).toHaveLength(2)
      expect(named(sim, "Brand New")).toHaveLength(1)
      expect(named(sim, "Zeta New")).toHaveLength(1)
      expect(applied.stderr).toMatch(/create of Brand New .*sent again: .*a create answered after it is listed/)
      // Well under the 15 s confirmation window: the later create proved the listing current.
      expect(tookMs).toBeLessThan(8000)
    }), timeout)

  it.scopedLive("SIGINT ends the wait at once; the next apply waits out the rest of the window and adopts the org", () =>
    Effect.gen(function*() {
      const sim = yield* start({ faults: { lostResponseRate: 1, listingLagMs: 8000 } })
      const ws = workspace(desired)
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      const child = yield* spawnOrgsync(["apply", ...common, "--yes"], credentials, { deadlineMillis: 60_000 })
      yield* child.waitFor(/waiting \S+ to read Code42 again for Brand New/)
      const signalled = Date.now()
      child.kill("SIGINT")
      const exited = yield* child.exited
      expect(Date.now() - signalled).toBeLessThan(3000)
      expect(exited.code, exited.stdout + exited.stderr).not.toBe(0)
      expect(exited.stdout + exited.stderr).not.toContain("Code42 matches")
      expect(creates(sim)).toHaveLength(1)

      sim.setFaults({ lostResponseRate: 0 })
      const next = yield* orgsync(["apply", ...common, "--yes"])
      expect(next.code, next.stdout + next.stderr).toBe(0)
      expect(next.stderr).toMatch(/create of Brand New .*confirmed by a later listing/)
      expect(creates(sim)).toHaveLength(1)
      expect(named(sim, "Brand New")).toHaveLength(1)
    }), timeout)
})
