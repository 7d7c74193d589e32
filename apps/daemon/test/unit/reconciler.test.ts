/**
 * The reconciler in-process against the real simulator and a real state file: failures of one org do not stop
 * the others, a create whose parent failed is skipped, and a pass that makes no progress stops and says what
 * could not converge. A test double for the client is a Layer over the real one.
 */
import { describe, expect, it } from "@effect/vitest"
import { Code42Error } from "@c42/core"
import { Effect } from "effect"
import { Reconciler, StateDb } from "@c42/reconcile"
import { desiredFrom, reconcilerAt } from "../support/reconciler.js"
import { named, start } from "../support/simulator.js"

const refused = (operation: string) =>
  new Code42Error.BadRequestError({ operation, status: 400, description: "refused by the test" })

describe("Reconciler", () => {
  it.scoped("reports every failure, skips the children of a failed create, and carries on with the rest", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const desired = yield* desiredFrom(`
orgs:
  - name: Engineering
    status: blocked
  - name: Sales
    extRef: S-9
  - name: Legal
    children:
      - name: Contracts
  - name: Support
`)
      const result = yield* Effect.flatMap(Reconciler.Reconciler, (r) => r.pass(desired, { dryRun: false, force: true })).pipe(
        Effect.provide(reconcilerAt(sim.url, { override: (c) => ({
          createOrg: (input) => input.orgName === "Legal" ? Effect.fail(refused("createOrg")) : c.createOrg(input),
          block: () => Effect.fail(refused("block"))
        }) }))
      )
      expect(result.converged).toBe(false)
      expect(result.errors).toEqual(expect.arrayContaining([
        "create Legal: createOrg: Code42 refused the request (400 refused by the test); check the values sent.",
        "create Legal/Contracts: skipped, its parent Legal was not created",
        "block Engineering: block: Code42 refused the request (400 refused by the test); check the values sent.",
        "did not converge: create Legal"
      ]))
      expect(result.errors).toHaveLength(6)
      expect(named(sim, "Support")).toHaveLength(1)
      expect(named(sim, "Sales")[0]).toMatchObject({ orgExtRef: "S-9" })
      expect(named(sim, "Contracts")).toHaveLength(0)
      expect(result.pending.changes.map((c) => `${c.action} ${c.path}`)).toEqual([
        "create Legal",
        "create Legal/Contracts",
        "block Engineering"
      ])
    }))

  it.scoped("stops when a round makes no progress and names what did not converge", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const desired = yield* desiredFrom("orgs:\n  - name: Engineering\n    status: blocked\n  - name: Sales\n")
      sim.clearRequests()
      const result = yield* Effect.flatMap(Reconciler.Reconciler, (r) => r.pass(desired, { dryRun: false, force: true })).pipe(
        // The server answers the block but nothing changes: the prediction was wrong.
        Effect.provide(reconcilerAt(sim.url, { override: () => ({ block: () => Effect.void }) }))
      )
      expect(result.converged).toBe(false)
      expect(result.errors).toContain("did not converge: block Engineering")
      const lists = sim.requests().filter((r) => r.method === "GET" && /\/org$/i.test(r.path))
      expect(lists.length).toBeLessThanOrEqual(3)
    }))

  it.scoped("converges a new tree in the fewest writes and records the run", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const desired = yield* desiredFrom(`
orgs:
  - name: Engineering
    children:
      - name: Platform
      - name: Mobile
        status: blocked
        children:
          - name: iOS
          - name: Android
  - name: Sales
    status: deactivated
    children:
      - name: EMEA
`)
      sim.clearRequests()
      const layer = reconcilerAt(sim.url)
      const result = yield* Effect.gen(function*() {
        const reconciler = yield* Reconciler.Reconciler
        const pass = yield* reconciler.pass(desired, { dryRun: false, force: true })
        const runs = yield* Effect.flatMap(StateDb.StateDb, (db) => db.recentRuns(5))
        return { pass, runs }
      }).pipe(Effect.provide(layer))
      expect(result.pass.converged).toBe(true)
      // 4 creates (Mobile, iOS, Android, EMEA) + 1 block (Mobile) + 1 deactivate (Sales); the rest existed.
      const writes = sim.requests().filter((r) => r.method !== "GET" && !/auth|oauth/.test(r.path))
      expect(writes).toHaveLength(result.pass.applied)
      expect(result.pass.applied).toBe(6)
      expect(named(sim, "iOS")[0]).toMatchObject({ blocked: true })
      expect(named(sim, "EMEA")[0]).toMatchObject({ active: false })
      expect(result.runs[0]).toMatchObject({ kind: "apply", result: "converged", counts: { applied: 6 } })
    }))

  it.scoped("counts a write whose answer was lost as applied once the next round finds it done", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const desired = yield* desiredFrom("orgs:\n  - name: Engineering\n  - name: Sales\n    extRef: S-2\n  - name: Legal\n")
      const lost = (operation: string) =>
        new Code42Error.UnknownOutcomeError({ operation, reason: "the answer was lost by the test" })
      const layer = reconcilerAt(sim.url, { override: (c) => ({
        // Each write is made, then its answer lost: the next round re-reads and finds it done.
        createOrg: (input) =>
          input.orgName === "Legal" ? Effect.zipRight(c.createOrg(input), Effect.fail(lost("createOrg"))) : c.createOrg(input),
        updateOrg: (orgId, input) => Effect.zipRight(c.updateOrg(orgId, input), Effect.fail(lost("updateOrg")))
      }) })
      const result = yield* Effect.gen(function*() {
        const pass = yield* Effect.flatMap(Reconciler.Reconciler, (r) => r.pass(desired, { dryRun: false, force: true }))
        const runs = yield* Effect.flatMap(StateDb.StateDb, (db) => db.recentRuns(1))
        return { pass, runs }
      }).pipe(Effect.provide(layer))
      expect(result.pass.converged).toBe(true)
      expect(named(sim, "Legal")).toHaveLength(1)
      // Legal created and Sales updated, each exactly once, both answers lost: two changes applied, none failed.
      expect({ applied: result.pass.applied, failed: result.pass.failed }).toEqual({ applied: 2, failed: 0 })
      expect(result.runs[0]).toMatchObject({ result: "converged", counts: { applied: 2, failed: 0 } })
    }))

  it.scoped("asks for the signed-in user's org only when a plan restricts something, and never blocks it", () =>
    Effect.gen(function*() {
      const sim = yield* start({
        seed: {
          org: { orgName: "Acme", orgUid: "100", children: [{ orgName: "Sales", orgUid: "200" }, { orgName: "Legal" }] },
          users: [{ username: "admin", password: "secret", orgUid: "200" }]
        }
      })
      const layer = reconcilerAt(sim.url)
      const pass = (yaml: string) =>
        Effect.flatMap(desiredFrom(yaml), (desired) =>
          Effect.flatMap(Reconciler.Reconciler, (r) => r.pass(desired, { dryRun: false, force: true })))
      const asked = () => sim.requests().filter((r) => /\/org\/my$/i.test(r.path)).length
      yield* Effect.gen(function*() {
        const noop = yield* pass("orgs:\n  - name: Sales\n  - name: Legal\n")
        expect(noop.converged).toBe(true)
        expect(asked()).toBe(0)
        const blocking = yield* pass("orgs:\n  - name: Sales\n    status: blocked\n  - name: Legal\n    status: blocked\n")
        expect(asked()).toBe(1)
        expect(blocking.pending.conflicts.map((c) => [c.kind, c.path])).toEqual([["signed-in-org", "Sales"]])
        expect(named(sim, "Sales")[0]).toMatchObject({ blocked: false })
        expect(named(sim, "Legal")[0]).toMatchObject({ blocked: true })
        // Asked afresh in every pass that blocks or deactivates: once a pass.
        yield* pass("orgs:\n  - name: Sales\n    status: blocked\n  - name: Legal\n    status: blocked\n")
        expect(asked()).toBe(2)
      }).pipe(Effect.provide(layer))
    }))

  it.scoped("never blocks by cascade the org a user was moved to since the last pass", () =>
    Effect.gen(function*() {
      const sim = yield* start({
        seed: {
          org: {
            orgName: "Acme",
            orgUid: "100",
            children: [
              { orgName: "Sales", orgUid: "200", children: [{ orgName: "EMEA", orgUid: "300" }] },
              { orgName: "Legal", orgUid: "400" },
              { orgName: "Ops", orgUid: "500" }
            ]
          }
        }
      })
      // Where an administrator moves the user: the client asks the tenant for that org.
      let userOrgUid = "400"
      const layer = reconcilerAt(sim.url, { override: (c) => ({ getCurrent: () => c.getByUid(userOrgUid) }) })
      const pass = (yaml: string) =>
        Effect.flatMap(desiredFrom(yaml), (desired) =>
          Effect.flatMap(Reconciler.Reconciler, (r) => r.pass(desired, { dryRun: false, force: true })))
      yield* Effect.gen(function*() {
        const first = yield* pass("orgs:\n  - name: Sales\n  - name: Legal\n  - name: Ops\n    status: blocked\n")
        expect(first.converged).toBe(true)
        expect(named(sim, "Ops")[0]).toMatchObject({ blocked: true })
        userOrgUid = "300"
        const second = yield* pass(
          "orgs:\n  - name: Sales\n    status: blocked\n  - name: Legal\n  - name: Ops\n    status: blocked\n"
        )
        expect(named(sim, "EMEA")[0]).toMatchObject({ blocked: false })
        expect(named(sim, "Sales")[0]).toMatchObject({ blocked: false })
        expect(second.pending.conflicts.map((c) => [c.kind, c.path])).toEqual([["signed-in-org", "Sales"]])
      }).pipe(Effect.provide(layer))
    }))
})
