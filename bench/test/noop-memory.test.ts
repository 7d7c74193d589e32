import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as NoopMemory from "../src/NoopMemory.js"

describe("bench noop", () => {
  it.effect("runs orgsync plan and apply twice on a tenant that matches its import, each measured", () =>
    Effect.gen(function*() {
      const result = yield* NoopMemory.run({
        orgs: 300,
        tuning: { rateLimit: 1_000, burst: 1_000, concurrency: 8 },
        randomSeed: 7
      })
      for (const measured of [result.plan, result.first, result.again]) {
        expect(measured.exitCode).toBe(0)
        // Sampled every 10 ms: on a busy machine a short run may be seen only as it starts, before Node is loaded.
        expect(measured.peakRssBytes).toBeGreaterThan(0)
        expect(measured.stdout).toContain("No changes")
      }
      const report = NoopMemory.markdown(result).join("\n")
      expect(report).toContain("**No-op of 300 orgs, orgsync alone**")
      expect(report).toMatch(/\| orgsync apply, again \| [\d.]+ m?s \| \d+ MB \| PASS \|/)
      expect(report).toMatch(/load average [\d.]+, [\d.]+, [\d.]+/)
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
