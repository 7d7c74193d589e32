/**
 * Code42 never deletes an org: a listing without an org orgsync manages is short (a cap, a filter, a server
 * that leaves out deactivated orgs), and planning from it would create twins. The reconciler refuses such a
 * listing before it settles the journal or writes anything, and `--force` accepts it. A write left unsettled
 * under one API family is settled by a run on another.
 */
import { describe, expect, it } from "@effect/vitest"
import type { OrgClient } from "@c42/core"
import { Chunk, Effect, Stream, TestClock } from "effect"
import { OrgApi, Reconciler, StateDb } from "@c42/reconcile"
import { desiredFrom, newStatePath, reconcilerAt } from "../support/reconciler.js"
import { byHand, named, start } from "../support/simulator.js"

/** Client methods that pass the listings through `hide`: a short listing, consistent with itself. */
const hiding = (hide: (org: { readonly orgName: string; readonly active?: boolean | undefined }) => boolean) =>
(c: OrgClient.OrgClient): Partial<OrgClient.OrgClient> => ({
  getAllPages: (options?: OrgClient.ListOptions) =>
    c.getAllPages(options).pipe(Stream.map((page) => {
      const orgs = page.orgs.filter((org) => !hide(org))
      // Its count agrees.
      return { ...page, orgs, totalCount: page.totalCount === undefined ? undefined : page.totalCount - (page.orgs.length - orgs.length) }
    }))
})

const pass = (layer: ReturnType<typeof reconcilerAt>, yaml: string, force = false) =>
  Effect.gen(function*() {
    const desired = yield* desiredFrom(yaml)
    return yield* Effect.flatMap(Reconciler.Reconciler, (r) => r.pass(desired, { dryRun: false, force })).pipe(
      Effect.provide(layer)
    )
  })

/**
 * Past the confirmation window of the creates that made the orgs: an org created seconds ago and not listed
 * yet is awaited, not missing.
 */
const sinceCreated = "16 seconds"

const tree = "orgs:\n  - name: Engineering\n    children:\n      - name: Mobile\n  - name: Legacy\n"

describe("a listing without an org orgsync manages", () => {
  it.scoped("is refused: nothing is created, and the error names the missing orgs", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const state = newStatePath()
      expect((yield* pass(reconcilerAt(sim.url, { state }), tree)).converged).toBe(true)
      yield* TestClock.adjust(sinceCreated)
      sim.clearRequests()
      const short = yield* Effect.either(
        pass(reconcilerAt(sim.url, { state, override: hiding((org) => org.orgName === "Legacy" || org.orgName === "Mobile") }), tree)
      )
      const writes = sim.requests().filter((r) => r.method !== "GET")
      expect(writes.filter((r) => !/auth/.test(r.path))).toEqual([])
      expect(named(sim, "Legacy")).toHaveLength(1)
      expect(named(sim, "Mobile")).toHaveLength(1)
      const message = short._tag === "Left" ? short.left.message : short.right.errors.join("\n")
      expect(message).toContain("2 orgs orgsync manages are missing from Code42's listing")
      expect(message).toContain("Legacy")
      expect(message).toContain("Engineering/Mobile")
    }))

  it.scoped("that leaves out deactivated orgs never makes twins of them", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const state = newStatePath()
      const deactivated = "orgs:\n  - name: Legacy\n    status: deactivated\n  - name: Sales\n"
      expect((yield* pass(reconcilerAt(sim.url, { state }), deactivated)).converged).toBe(true)
      yield* TestClock.adjust(sinceCreated)
      for (let i = 0; i < 2; i++) {
        yield* Effect.either(pass(reconcilerAt(sim.url, { state, override: hiding((org) => org.active === false) }), deactivated))
      }
      expect(named(sim, "Legacy")).toHaveLength(1)
    }))

  it.scoped("is accepted with force", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const state = newStatePath()
      expect((yield* pass(reconcilerAt(sim.url, { state }), tree)).converged).toBe(true)
      const result = yield* pass(reconcilerAt(sim.url, { state, override: hiding((org) => org.orgName === "Legacy") }), "orgs:\n  - name: Engineering\n    children:\n      - name: Mobile\n", true)
      expect(result.converged).toBe(true)
    }))
})

describe("a create left unsettled under one API family", () => {
  it.scoped("is adopted by a run on another, never marked not applied", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const state = newStatePath()
      const desired = yield* desiredFrom("orgs:\n  - name: Crossover\n")
      // The gateway family journals the parent by guid; the v3 family lists parents by uid.
      const top = Chunk.toReadonlyArray(
        yield* Effect.flatMap(OrgApi.OrgApi, (api) => Stream.runCollect(api.pages)).pipe(
          Effect.provide(reconcilerAt(sim.url, { state }))
        )
      ).flatMap((page) => page.orgs).find((org) => org.parentOrgUid === null || org.parentOrgUid === undefined)!
      yield* Effect.flatMap(StateDb.StateDb, (db) =>
        db.journalBegin({
          action: "create",
          path: "Crossover",
          orgUid: null,
          parentOrgUid: top.orgGuid!,
          orgName: "Crossover",
          preexisting: []
        })).pipe(Effect.provide(reconcilerAt(sim.url, { state })))
      yield* byHand(sim, "POST", "/api/v3/orgs", { orgName: "Crossover", parentOrgGuid: top.orgGuid })
      expect(named(sim, "Crossover")).toHaveLength(1)
      const result = yield* Effect.flatMap(Reconciler.Reconciler, (r) => r.pass(desired, { dryRun: false, force: true })).pipe(
        Effect.provide(reconcilerAt(sim.url, { state }))
      )
      expect(result.converged).toBe(true)
      expect(named(sim, "Crossover")).toHaveLength(1)
      const writes = yield* Effect.flatMap(StateDb.StateDb, (db) => db.journalSince(new Date(0))).pipe(
        Effect.provide(reconcilerAt(sim.url, { state }))
      )
      expect(writes.map((w) => [w.action, w.path, w.outcome])).toEqual([["create", "Crossover", "adopted"]])
    }))
})
