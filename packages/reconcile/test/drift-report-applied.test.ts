/**
 * Under `drift: report`, what orgsync applied follows what it wrote, field by field, while drift is pending on
 * the org: an update the files ask for (which leaves the drifted field out) records its fields as applied, and
 * the drifted field keeps its drift. Sales is found as the files first ask (orgsync never writes its notes, so a
 * hand change of them is no flip towards a contest). Whole passes over a tenant double and a real state database.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { OrgApi } from "../src/OrgApi.js"
import * as Reconciler from "../src/Reconciler.js"
import * as StateDb from "../src/StateDb.js"
import { d, desired } from "./plan-fixtures.js"
import * as TenantDouble from "./tenant-double.js"

const report = { destructive: "auto", drift: "report" } as const

/** Each drifted field: the value orgsync wrote (none for a field it never wrote) and the value found. */
const drifted = (result: Reconciler.PassResult) =>
  result.driftFound.map((found) => `${found.field} ${"applied" in found ? found.applied : "(never written)"} ${found.current}`)

const lines = (result: Reconciler.PassResult) =>
  result.pending.changes.map((c) => `${c.action} ${c.path} ${JSON.stringify(c.after)} (${c.cause})`)

/** Sales in the tenant double, and a pass under `drift: report` over files that give Sales `extRef`. */
const salesTenant = Effect.gen(function*() {
  const tenant = yield* TenantDouble.make([{ orgName: "Sales", orgExtRef: "S-0", notes: "n0" }])
  const reconciler = yield* Reconciler.make({ principal: "test", signedInUser: true, concurrency: 2 }).pipe(
    Effect.provideService(OrgApi, tenant.api)
  )
  const pass = (extRef: string) =>
    reconciler.pass(desired([d("Sales", { extRef, notes: "n0" })]), { dryRun: false, force: false, policy: report })
  return { tenant, pass }
})

describe("drift: report, with drift pending on an org the files change", () => {
  it.effect("the field orgsync wrote is recorded as applied: changed back by the files, it is written, not drift", () =>
    Effect.gen(function*() {
      const { pass, tenant } = yield* salesTenant
      expect((yield* pass("S-0")).converged).toBe(true)
      yield* tenant.edit("Sales", { notes: "by hand" })
      // The files change extRef: orgsync writes it, and leaves the notes changed by hand.
      const second = yield* pass("S-1")
      expect(lines(second)).toEqual([`update Sales {"notes":"n0"} (drift)`])
      const db = yield* StateDb.StateDb
      expect((yield* db.identities).find((i) => i.path === "Sales")?.applied)
        .toEqual({ name: "Sales", extRef: "S-1", notes: "n0", status: "active" })

      // The files change extRef back: a change the files ask for, written, while the notes stay reported.
      const third = yield* pass("S-0")
      expect(drifted(third)).toEqual(["notes (never written) by hand"])
      expect((yield* tenant.named("Sales"))[0]).toMatchObject({ orgExtRef: "S-0", notes: "by hand" })
      expect(lines(third)).toEqual([`update Sales {"notes":"n0"} (drift)`])
      expect(yield* tenant.writes).toEqual(["update Sales orgExtRef", "update Sales orgExtRef"])
    }).pipe(Effect.provide(TenantDouble.stateDb())))

  it.effect("a later hand change of the field orgsync wrote is drift from the value it wrote", () =>
    Effect.gen(function*() {
      const { pass, tenant } = yield* salesTenant
      yield* pass("S-0")
      yield* tenant.edit("Sales", { notes: "by hand" })
      yield* pass("S-1")
      yield* tenant.edit("Sales", { orgExtRef: "X-9" })
      const third = yield* pass("S-1")
      // Reported, not reverted: the extRef orgsync wrote (S-1) is the value before.
      expect((yield* tenant.named("Sales"))[0]).toMatchObject({ orgExtRef: "X-9", notes: "by hand" })
      expect(third.pending.conflicts).toEqual([])
      expect(drifted(third)).toEqual(["extRef S-1 X-9", "notes (never written) by hand"])
    }).pipe(Effect.provide(TenantDouble.stateDb())))
})
