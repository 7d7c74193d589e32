/**
 * A suspension stops writing at once: the writes of a pass being sent, or waiting to be sent again, are cut short,
 * and the suspension is answered only once they have stopped; a write started after it is not sent at all.
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { FileSystem } from "@effect/platform"
import { Effect, Either, Fiber, Layer, Option, Ref, SubscriptionRef, TestClock } from "effect"
import { StateDb } from "@c42/reconcile"
import * as DaemonControl from "../../src/DaemonControl.js"

const control = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-suspend-" })
  const db = yield* Layer.build(StateDb.layer(`${dir}/state.db`))
  return yield* DaemonControl.make({ destructive: "auto", drift: "heal" }).pipe(Effect.provide(db))
})

/** A write sent again every second, its answer lost each time; `attempts` counts what reaches Code42. */
const retried = (attempts: Ref.Ref<number>) =>
  Effect.forever(Effect.zipRight(Ref.update(attempts, (n) => n + 1), Effect.sleep("1 second")))

describe("DaemonControl: suspend", () => {
  it.scoped("cuts the writes being retried short, and is answered once they have stopped", () =>
    Effect.gen(function*() {
      const daemon = yield* control
      const pass = yield* daemon.begin
      const attempts = yield* Ref.make(0)
      const write = yield* Effect.fork(Effect.either(pass.guard(retried(attempts))))
      yield* TestClock.adjust("2500 millis")
      expect(yield* Ref.get(attempts)).toBe(3)
      expect((yield* SubscriptionRef.get(daemon.state)).writing).toBe(1)

      const suspend = yield* Effect.fork(daemon.suspend)
      expect(yield* Fiber.join(suspend)).toBe(true)
      // Stopped before the suspension was answered, with the error that says why.
      const stopped = yield* Fiber.poll(write)
      expect(Option.isSome(stopped)).toBe(true)
      const outcome = yield* Fiber.join(write)
      expect(Either.isLeft(outcome) && outcome.left._tag).toBe("WritingStopped")
      expect((yield* SubscriptionRef.get(daemon.state)).writing).toBe(0)
      yield* TestClock.adjust("1 minute")
      expect(yield* Ref.get(attempts)).toBe(3)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a write that passed mayWrite before the suspension is not sent after it; resumed, writes go again", () =>
    Effect.gen(function*() {
      const daemon = yield* control
      const pass = yield* daemon.begin
      const attempts = yield* Ref.make(0)
      const once = Ref.updateAndGet(attempts, (n) => n + 1)
      yield* daemon.suspend
      expect(yield* Effect.either(pass.guard(once))).toMatchObject({ _tag: "Left", left: { _tag: "WritingStopped" } })
      expect(yield* Ref.get(attempts)).toBe(0)
      // Suspending again changes nothing, and there is nothing to wait for.
      expect(yield* daemon.suspend).toBe(false)

      yield* daemon.resume
      const next = yield* daemon.begin
      expect(yield* next.guard(once)).toBe(1)
      expect((yield* SubscriptionRef.get(daemon.state)).writing).toBe(0)
    }).pipe(Effect.provide(NodeContext.layer)))
})
