import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import type { Seed } from "@c42/simulator"
import { Effect, Either } from "effect"
import * as BenchTenant from "../src/BenchTenant.js"
import * as ChangeSet from "../src/ChangeSet.js"
import * as Stage from "../src/Stage.js"
import { imported } from "./support.js"

const explicitBlocks = (org: Seed.SeedOrg): ReadonlyArray<boolean> => [
  ...(org.blocked === undefined ? [] : [org.blocked]),
  ...(org.children ?? []).flatMap(explicitBlocks)
]

describe("BenchTenant", () => {
  it("keeps the generated blocks but no unblock below a blocked parent", () => {
    const blocks = explicitBlocks(BenchTenant.generate(3_000, 11).org)
    expect(blocks.length).toBeGreaterThan(0)
    expect(blocks.every((blocked) => blocked)).toBe(true)
  })

  it.scopedLive("is its own desired state once imported: nothing to plan", () =>
    Effect.gen(function*() {
      const { files, stage } = yield* imported(1_500, 11)
      expect(stage.sim.orgs()).toHaveLength(1_500)
      const plan = Stage.plan(yield* Stage.desired(files.desired), Stage.remote(stage))
      expect(plan.changes).toEqual([])
      expect(plan.conflicts).toEqual([])
      expect(plan.resolved).toHaveLength(1_499)
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("ChangeSet", () => {
  it.scopedLive("makes each edit one planned call of its kind, on the paths it names", () =>
    Effect.gen(function*() {
      const { files, stage, yaml } = yield* imported(1_500, 12)
      const remote = Stage.remote(stage)
      const changeSet = yield* ChangeSet.make(yaml, remote, 120, 5)
      expect(changeSet.counts).toEqual({ create: 24, update: 24, block: 18, unblock: 18, deactivate: 18, reactivate: 18 })
      yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.writeFileString(files.desired, changeSet.yaml))
      const plan = Stage.plan(yield* Stage.desired(files.desired), remote)
      expect(plan.conflicts).toEqual([])
      expect(plan.refusal).toBeUndefined()
      expect(plan.changes).toHaveLength(120)
      const planned = Object.fromEntries(
        Object.keys(changeSet.counts).map((edit) => [edit, plan.changes.filter((c) => c.action === edit).length])
      )
      expect(planned).toEqual(changeSet.counts)
      expect(plan.changes.every((change) => change.cascadesTo.length === 0)).toBe(true)
      expect(new Set(plan.changes.map((change) => change.path))).toEqual(new Set(changeSet.changedPaths))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("refuses more changes than the tenant has candidates for", () =>
    Effect.gen(function*() {
      const { stage, yaml } = yield* imported(200, 13)
      const result = ChangeSet.make(yaml, Stage.remote(stage), 1_000, 5)
      expect(Either.isLeft(result) && result.left.message).toMatch(/too small for 1000 changes/)
    }).pipe(Effect.provide(NodeContext.layer)))
})
