import { Command } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as ProcessRun from "../src/ProcessRun.js"

const node = (script: string) => Command.make(process.execPath, "-e", script)

describe("ProcessRun", () => {
  it.live("measures wall time, peak resident memory, exit code and output", () =>
    Effect.gen(function*() {
      // 200 MB touched, held for 300 ms so the sampler sees it.
      const measured = yield* ProcessRun.measure(
        "allocating child",
        node("const b = Buffer.alloc(200e6, 1); process.stdout.write('ok ' + b.length + '\\n'); setTimeout(() => process.exit(3), 300)"),
        "20 seconds"
      )
      expect(measured.exitCode).toBe(3)
      expect(measured.stdout).toBe("ok 200000000\n")
      expect(measured.wallMillis).toBeGreaterThanOrEqual(300)
      expect(measured.peakRssBytes).toBeGreaterThan(200e6)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("stops a run that outlives its time and fails with why", () =>
    Effect.gen(function*() {
      const error = yield* ProcessRun.measure("idle child", node("setInterval(() => {}, 1000)"), "300 millis").pipe(
        Effect.flip
      )
      expect(error.message).toBe("idle child did not finish within 300ms")
    }).pipe(Effect.provide(NodeContext.layer)))
})
