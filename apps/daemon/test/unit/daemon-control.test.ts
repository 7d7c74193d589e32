/**
 * Decisions about held changes: across a pass that a suspension stopped, its approvals are neither used nor
 * lapsed and wait for the next pass that may write; changes held with a destructive one are decided with it;
 * a rejection given during a pass stops the approved change if it is not sent yet, and is refused if it is.
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { FileSystem } from "@effect/platform"
import { Effect, Layer, SubscriptionRef } from "effect"
import { Policy, StateDb } from "@c42/reconcile"
import * as ControlView from "../../src/ControlView.js"
import * as DaemonControl from "../../src/DaemonControl.js"
import { change, passResult, plan } from "../support/daemon-fixtures.js"

const deactivate = change("Sales", {
  action: "deactivate",
  orgUid: "u/s",
  orgId: 2,
  before: { status: "active" },
  after: { status: "deactivated" }
})
const policy: Policy.Policy = { destructive: "confirm", drift: "heal" }

describe("DaemonControl", () => {
  it.scoped("an approval offered to a pass that a suspension stopped waits for the next pass", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-control-" })
      const db = yield* Layer.build(StateDb.layer(`${dir}/state.db`))
      const control = yield* DaemonControl.make(policy).pipe(Effect.provide(db))
      const { kept } = Policy.gate([deactivate], policy)
      const held = passResult({ pending: plan([deactivate]), kept })
      yield* Effect.flatMap(control.begin, (pass) => pass.finish(held))
      yield* control.approve([kept[0]!.id])

      const stopped = yield* control.begin
      expect(stopped.decisions.approved(kept[0]!.checksum)).toBe(true)
      yield* stopped.finish(passResult({ pending: plan([deactivate]), stopped: true }))
      expect((yield* SubscriptionRef.get(control.state)).approved.has(kept[0]!.checksum)).toBe(true)

      const next = yield* control.begin
      expect(next.decisions.approved(kept[0]!.checksum)).toBe(true)
      yield* next.finish(passResult())
      expect((yield* SubscriptionRef.get(control.state)).approved.size).toBe(0)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("one id names a sequence held with its re-block: approving it approves the sequence, shown as one", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-control-" })
      const db = yield* Layer.build(StateDb.layer(`${dir}/state.db`))
      const control = yield* DaemonControl.make(policy).pipe(Effect.provide(db))
      const state = (action: "block" | "unblock") =>
        change("Sales", {
          action,
          orgUid: "u/s",
          orgId: 2,
          before: { status: action === "block" ? "active" : "blocked" },
          after: { status: action === "block" ? "blocked" : "active" },
          cascadesTo: action === "block" ? ["Sales/EMEA"] : []
        })
      const sequence = [state("unblock"), change("Sales/EMEA", { parentPath: "Sales", parentOrgUid: "u/s" }), state("block")]
      const { kept } = Policy.gate(sequence, policy)
      yield* Effect.flatMap(control.begin, (pass) => pass.finish(passResult({ pending: plan(sequence), kept })))
      const view = ControlView.view(yield* SubscriptionRef.get(control.state))
      expect(view.held.map((h) => [h.action, h.path, h.id, h.goesWith])).toEqual([
        ["unblock", "Sales", kept[2]!.id, "block Sales"],
        ["create", "Sales/EMEA", kept[2]!.id, "block Sales"],
        ["block", "Sales", kept[2]!.id, null]
      ])

      const approved = yield* control.approve([kept[0]!.id])
      expect(approved.map((h) => `${h.change.action} ${h.change.path}`)).toEqual(["unblock Sales", "create Sales/EMEA", "block Sales"])
      expect([...(yield* SubscriptionRef.get(control.state)).approved.keys()]).toEqual([kept[2]!.checksum])
      const next = yield* control.begin
      expect(Policy.gate(sequence, policy, next.decisions).allowed).toEqual(sequence)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a rejection given during a pass stops the approved change not sent yet, and is too late once it is", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-control-" })
      const db = yield* Layer.build(StateDb.layer(`${dir}/state.db`))
      const control = yield* DaemonControl.make(policy).pipe(Effect.provide(db))
      const create = change("Sales/EMEA", { parentPath: "Sales", parentOrgUid: "u/s" })
      const { kept } = Policy.gate([deactivate], policy)
      const holding = passResult({ pending: plan([deactivate]), kept })
      yield* Effect.flatMap(control.begin, (pass) => pass.finish(holding))
      const id = kept[0]!.id

      // Rejected after the approval, before the write: not sent; other changes still may be.
      yield* control.approve([id])
      const first = yield* control.begin
      expect(Policy.gate([deactivate], policy, first.decisions).allowed).toEqual([deactivate])
      yield* control.reject([id])
      expect(yield* first.mayWrite(deactivate)).toBe(false)
      expect(yield* first.mayWrite(create)).toBe(true)
      yield* first.finish(holding)
      expect((yield* SubscriptionRef.get(control.state)).rejected.has(kept[0]!.checksum)).toBe(true)

      // Approved again and being written: the rejection is refused as too late, and the approval stands.
      yield* control.approve([id])
      const second = yield* control.begin
      expect(yield* second.mayWrite(deactivate)).toBe(true)
      expect(yield* Effect.flip(control.reject([id]))).toMatchObject({
        reason: "too-late",
        message: expect.stringContaining("already being applied")
      })
      const state = yield* SubscriptionRef.get(control.state)
      expect(state.rejected.has(kept[0]!.checksum)).toBe(false)
      expect(state.approved.has(kept[0]!.checksum)).toBe(true)
      expect(yield* second.mayWrite(deactivate)).toBe(true)

      // Suspended: no change may be written, approved or not.
      yield* control.suspend
      expect(yield* second.mayWrite(create)).toBe(false)
    }).pipe(Effect.provide(NodeContext.layer)))
})
