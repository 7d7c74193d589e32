/**
 * Soak under faults: the built CLI against the simulator failing a third of all requests (5xx, 429),
 * resetting connections, losing the answers of writes it performed, with jittered latency and a rate limit
 * that answers 429 with Retry-After. A tree is created from an empty managed root, then changed at random:
 * each time the tenant must end exactly as desired, without a duplicate, and no org outside the plan may be
 * written to or changed. `npm run soak` runs it at 1,000 orgs and 300 changes.
 */
import { Simulator } from "@c42/simulator"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { orgsync, workspace } from "../support/cli.js"
import { proxy } from "../support/proxy.js"
import { RandomTree } from "../support/random-tree.js"
import { tally, targetOf, writes } from "../support/request-log.js"
import { named, start } from "../support/simulator.js"
import * as Soak from "../support/soak-scale.js"
import { applyUntilConverged, changedOutside, managedRoot, planJson, tenant } from "../support/soak-tenant.js"

const orgCount = Soak.scaled(100, 1_000)
const changeCount = Soak.scaled(30, 300)

const faults: Partial<Simulator.Faults> = {
  // 20% 5xx and 10% 429 (these carry no Retry-After; the rate limit's 429s below do).
  faultRate: 0.3,
  faultStatuses: [500, 502, 503, 504, 429, 429],
  resetRate: 0.02,
  lostResponseRate: 0.02,
  latencyMs: 1,
  jitterMs: 15,
  // Just under the client's default 20/s: bursts run into it and get 429 with Retry-After.
  rateLimit: 18
}

const cascades = new Set(["block", "unblock", "deactivate"])

/**
 * The simulator behind a front that answers `status` (503 unless told) to each `method` request whose body names
 * the org `orgName`, until `recover` is called; `common` are the flags of a workspace holding `yaml` that go
 * through the front.
 */
const failingFor = (method: string, orgName: string, yaml: string, status = 503) =>
  Effect.gen(function*() {
    const sim = yield* start()
    let failing = true
    const front = yield* proxy(sim.url, {
      intercept: (request) =>
        failing && request.method === method && request.body.includes(`"orgName":"${orgName}"`)
          ? { status, body: JSON.stringify([{ name: "SYSTEM", description: "Unavailable", objects: [] }]) }
          : undefined
    })
    const ws = workspace(yaml)
    const common = ["--desired", ws.desired, "--state", ws.state, "--url", front]
    const recover = () => {
      failing = false
    }
    return { sim, ws, common, recover }
  })

describe(`soak: faults (${Soak.label}, seed ${Soak.seed})`, () => {
  for (const [server, rules] of Soak.servers) {
    it.scopedLive(`creates ${orgCount} orgs and makes ${changeCount} changes exactly, touching nothing else (${server})`, () =>
      Effect.gen(function*() {
        const random = Soak.random()
        const sim = yield* Simulator.start({ port: 0, seed: tenant, randomSeed: Soak.seed, rules })
        const tree = RandomTree.generate(orgCount, random, managedRoot)
        const ws = workspace(tree.yaml())
        // The state database at the default path of the workspace, which every command runs in: none yet for
        // the first plan, then the one the first apply makes.
        const common = ["--desired", ws.desired, "--url", sim.url]
        sim.setFaults(faults)

        /** Applies the desired file as it stands and checks the outcome; answers the summary. */
        const converge = Effect.gen(function*() {
          const before = sim.orgs()
          const { code, plan } = yield* planJson(common, `${ws.dir}/plan.json`, ws.dir)
          expect(code).toBe(2)
          sim.clearRequests()
          const started = Date.now()
          const applies = yield* applyUntilConverged(common, Soak.scaled(8, 12), ws.dir)
          const seconds = Soak.secondsSince(started)
          const requests = sim.requests()
          const after = sim.orgs()

          expect(tree.mismatches(after)).toEqual([])
          const known = new Set(before.map((org) => org.orgUid))
          const planned = new Set(plan.changes.flatMap((change) => (change.orgUid === null ? [] : [change.orgUid])))
          const allowed = new Set([...planned, ...after.filter((org) => !known.has(org.orgUid)).map((o) => o.orgUid)])
          const strays = writes(requests).filter((write) => {
            const target = targetOf(write, after)
            return target === undefined ? write.target !== undefined : !allowed.has(target.orgUid)
          })
          expect(strays).toEqual([])
          const cascading = new Set(
            plan.changes.filter((c) => c.orgUid !== null && cascades.has(c.action)).map((c) => c.orgUid!)
          )
          expect(changedOutside(before, after, allowed, cascading)).toEqual([])
          const creates = writes(requests).filter((write) => write.target === undefined).length
          return `${plan.changes.length} planned changes converged after ${applies} applies, ${tally(requests)}, ` +
            `${creates} create requests for ${after.length - before.length} new orgs, in ${seconds} s`
        })

        const created = yield* converge
        const edits = tree.edit(changeCount)
        expect(edits).toHaveLength(changeCount)
        ws.write(tree.yaml())
        const changed = yield* converge

        console.log(
          `soak faults (${Soak.label}, seed ${Soak.seed}): ${orgCount} orgs from empty: ${created}; ` +
            `${changeCount} random edits: ${changed}`
        )
      // A create answered 503 is waited for (15 s) before it is sent again: a few such waits in a row.
      }), Soak.scaled(300_000, 1_800_000))
  }

  // Found by this soak at full scale: a create under an org that the same apply deactivates (or blocks) failed,
  // the deactivation went ahead, and Code42 never let the child be created any more.
  it.scopedLive(
    "a create that fails does not leave its parent deactivated for good",
    () =>
      Effect.gen(function*() {
        // Refused (400): a create answered 5xx has an unknown outcome, and is waited for until Code42 lists it.
        const { common, recover, sim } = yield* failingFor(
          "POST",
          "Mobile",
          "orgs:\n  - name: Engineering\n    status: deactivated\n    children:\n      - name: Platform\n" +
            "      - name: Mobile\n  - name: Sales\n",
          400
        )
        expect((yield* orgsync(["apply", ...common, "--yes"])).code).toBe(1)
        recover()
        const again = yield* orgsync(["apply", ...common, "--yes"])
        expect(again.code, again.stderr).toBe(0)
        expect(named(sim, "Mobile")).toMatchObject([{ active: false }])
      }),
    60_000
  )

  // Found by this soak: the rename of an org failed, the deactivation above it went ahead, and orgsync never
  // renames a deactivated org, so the rename was lost while apply reported the tenant converged.
  it.scopedLive(
    "a rename that fails holds back the deactivation that would reach its org",
    () =>
      Effect.gen(function*() {
        const { common, recover, sim, ws } = yield* failingFor(
          "PUT",
          "Handhelds",
          "orgs:\n  - name: Engineering\n    children:\n      - name: Mobile\n  - name: Sales\n"
        )
        expect((yield* orgsync(["apply", ...common, "--yes"])).code).toBe(0)
        ws.write(
          "orgs:\n  - name: Engineering\n    status: deactivated\n    children:\n      - name: Handhelds\n" +
            "        previously: [Mobile]\n  - name: Sales\n"
        )
        const cut = yield* orgsync(["apply", ...common, "--yes"])
        expect(cut.code).toBe(1)
        expect(cut.stderr).toContain("held back")
        expect(named(sim, "Engineering")).toMatchObject([{ active: true }])
        recover()
        const again = yield* orgsync(["apply", ...common, "--yes"])
        expect(again.code, again.stderr).toBe(0)
        expect(named(sim, "Engineering")).toMatchObject([{ active: false }])
        expect(named(sim, "Handhelds")).toMatchObject([{ active: false }])
        expect(named(sim, "Mobile")).toEqual([])
      }),
    60_000
  )
})
