/**
 * A generated tenant on the real simulator (in process, on loopback) and its `orgsync import`, made by the
 * built orgsync command line as the benchmark makes it.
 */
import { FileSystem } from "@effect/platform"
import { Effect } from "effect"
import * as Contenders from "../src/Contenders.js"
import * as Stage from "../src/Stage.js"

export const imported = (orgs: number, randomSeed: number) =>
  Effect.gen(function*() {
    const stage = yield* Stage.make(orgs, randomSeed)
    const files = yield* Contenders.orgsyncFiles(stage.dir, { rateLimit: 1_000, burst: 1_000, concurrency: 8 })
    yield* Contenders.orgsyncImport(stage.connection, files)
    const yaml = yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(files.desired))
    return { stage, files, yaml }
  })
