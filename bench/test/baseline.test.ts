import { FileSystem } from "@effect/platform"
import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { OrgClient } from "@c42/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as Baseline from "../src/Baseline.js"
import * as ChangeSet from "../src/ChangeSet.js"
import * as Stage from "../src/Stage.js"
import { imported } from "./support.js"

/** The baseline in this process, against the stage's simulator, its requests counted in `tally`. */
const runBaseline = (stage: Stage.Stage, path: string, tally: Baseline.Tally, only?: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const state = yield* Stage.desired(path)
    return yield* Baseline.run(state, tally, only)
  }).pipe(
    Effect.provide(
      OrgClient.layer({
        url: stage.connection.url,
        auth: { _tag: "LocalAccount", username: stage.connection.username, password: stage.connection.password },
        rateLimit: { requestsPerSecond: 1_000, burst: 1_000 }
      }).pipe(Layer.provide(Baseline.countingHttpClient(tally)), Layer.provide(NodeHttpClient.layerUndici))
    )
  )

describe("Baseline", () => {
  it.scopedLive("walks the whole file, converges the tenant with one write per change, and counts every call", () =>
    Effect.gen(function*() {
      const { files, stage, yaml } = yield* imported(400, 21)
      const changeSet = yield* ChangeSet.make(yaml, Stage.remote(stage), 30, 8)
      yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.writeFileString(files.desired, changeSet.yaml))
      const state = yield* Stage.desired(files.desired)
      stage.sim.clearRequests()

      const tally = Baseline.emptyTally()
      const result = yield* runBaseline(stage, files.desired, tally)

      expect(Stage.plan(state, Stage.remote(stage)).changes).toEqual([])
      expect(result.records).toHaveLength(Stage.flatten(state).length)
      expect(result.records.some((record) => record.failed)).toBe(false)
      expect(result.records.reduce((sum, record) => sum + record.writes, 0)).toBe(30)
      const written = new Set(result.records.filter((record) => record.writes > 0).map((record) => record.path))
      expect(written).toEqual(new Set(changeSet.changedPaths))
      // Every org is looked up by name at least once; the log agrees with the client's own count.
      expect(result.records.every((record) => record.calls >= 1 + record.writes)).toBe(true)
      expect(result.signIns).toBe(1)
      expect(stage.sim.requests()).toHaveLength(tally.calls + tally.signIns)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("handles only the sampled orgs, each under its pinned parent", () =>
    Effect.gen(function*() {
      const { files, stage, yaml } = yield* imported(400, 22)
      const changeSet = yield* ChangeSet.make(yaml, Stage.remote(stage), 20, 9)
      yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.writeFileString(files.desired, changeSet.yaml))
      const state = yield* Stage.desired(files.desired)
      const unchanged = Stage.flatten(state).map((org) => org.path)
        .filter((path) => !changeSet.changedPaths.includes(path))
      const only = [...changeSet.changedPaths.slice(0, 5), ...unchanged.slice(-5)]

      const result = yield* runBaseline(stage, files.desired, Baseline.emptyTally(), only)

      expect(result.records.map((record) => record.path)).toEqual(only)
      expect(result.records.map((record) => record.writes)).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0])
      expect(Stage.plan(state, Stage.remote(stage)).changes).toHaveLength(15)
    }).pipe(Effect.provide(NodeContext.layer)))
})
