/**
 * `plan` plans with the settings apply is given: a preview under `drift: report` splits a hand change from
 * the change the files ask for, as a pass does, so that a reviewed plan's checksum matches the plan apply makes
 * with the same settings; the formats show what the policy keeps back apart. Whole passes over a tenant double
 * and a real state database.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { OrgApi } from "../src/OrgApi.js"
import type * as Plan from "../src/Plan.js"
import * as PlanChecksum from "../src/PlanChecksum.js"
import * as PlanFormat from "../src/PlanFormat.js"
import * as Policy from "../src/Policy.js"
import * as Reconciler from "../src/Reconciler.js"
import { d, desired } from "./plan-fixtures.js"
import * as TenantDouble from "./tenant-double.js"

const report: Policy.Policy = { destructive: "auto", drift: "report" }

/** Sales converged by orgsync, its notes then changed by hand, and the files changing its extRef. */
const handChangedSales = Effect.gen(function*() {
  const tenant = yield* TenantDouble.make([{ orgName: "Sales", orgExtRef: "S-0", notes: "n0" }])
  const reconciler = yield* Reconciler.make({ principal: "test", signedInUser: true, concurrency: 2 }).pipe(
    Effect.provideService(OrgApi, tenant.api)
  )
  yield* reconciler.pass(desired([d("Sales", { extRef: "S-0", notes: "n0" })]), { dryRun: false, force: false })
  yield* tenant.edit("Sales", { notes: "by hand" })
  return { tenant, reconciler, files: desired([d("Sales", { extRef: "S-1", notes: "n0" })]) }
})

describe("plan under drift: report", () => {
  it.effect("a reviewed plan made with drift: report matches what apply plans with it, and is applied", () =>
    Effect.gen(function*() {
      const { files, reconciler, tenant } = yield* handChangedSales
      const reviewed = yield* Reconciler.preview(files, { force: false, signedInUser: true, drift: "report" }).pipe(
        Effect.provideService(OrgApi, tenant.api)
      )
      expect(reviewed.changes.map((c) => `${c.action} ${c.path} ${JSON.stringify(c.after)} (${c.cause})`)).toEqual([
        `update Sales {"extRef":"S-1"} (desired)`,
        `update Sales {"notes":"n0"} (drift)`
      ])
      const seen: Array<string> = []
      const result = yield* reconciler.pass(files, {
        dryRun: false,
        force: false,
        policy: report,
        confirm: (plan) => Effect.sync(() => seen.push(PlanChecksum.checksum(plan))).pipe(Effect.as(true))
      })
      expect(seen).toEqual([PlanChecksum.checksum(reviewed)])
      expect(result.declined).toBe(false)
      expect((yield* tenant.named("Sales"))[0]).toMatchObject({ orgExtRef: "S-1", notes: "by hand" })
    }).pipe(Effect.provide(TenantDouble.stateDb())))

  it.effect("the formats show the drift as reported, kept back, not as a change to make", () =>
    Effect.gen(function*() {
      const { files, tenant } = yield* handChangedSales
      const planned = yield* Reconciler.preview(files, { force: false, signedInUser: true, drift: "report" }).pipe(
        Effect.provideService(OrgApi, tenant.api)
      )
      const { kept } = Policy.gate(planned.changes, Policy.oneShot(report))
      expect(PlanFormat.text(planned, undefined, kept)).toBe([
        "Changes:",
        `  ~ update     Sales  extRef: "S-0" → "S-1"`,
        "",
        "Kept back by the policy (not made):",
        `  ~ update     Sales  notes: "by hand" → "n0" (drift: report, not reverted)`,
        "",
        "Plan: 0 to create, 1 to update, 0 to block, 0 to unblock, 0 to deactivate, 0 to reactivate; 0 conflicts, " +
        "0 unmanaged. Kept back: 1 drift reported (drift: report), not reverted.",
        ""
      ].join("\n"))
      const json = JSON.parse(PlanFormat.json(planned, kept)) as {
        summary: { update: number }
        changes: ReadonlyArray<Plan.Change>
        kept: ReadonlyArray<Plan.Change & { reason: string }>
        checksum: string
      }
      expect(json.summary.update).toBe(1)
      expect(json.changes.map((c) => c.cause)).toEqual(["desired"])
      expect(json.kept.map((c) => [c.action, c.path, c.cause, c.reason, c.after])).toEqual([
        ["update", "Sales", "drift", "drift", { notes: "n0" }]
      ])
      // The checksum covers every planned change, as apply computes it.
      expect(json.checksum).toBe(PlanChecksum.checksum(planned))
    }).pipe(Effect.provide(TenantDouble.stateDb())))
})
