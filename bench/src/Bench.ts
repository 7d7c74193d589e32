/**
 * The whole benchmark: the scenarios at their sizes (smaller with `--quick`), one after another so that no
 * two measurements share the machine, then the Markdown table on stdout and in bench/results/.
 */
import { type CommandExecutor, FileSystem } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import type { PlatformError } from "@effect/platform/Error"
import { Clock, Console, Duration, Effect } from "effect"
import { fileURLToPath } from "node:url"
import { BenchError } from "./BenchError.js"
import type * as Contenders from "./Contenders.js"
import * as DaemonRun from "./DaemonRun.js"
import * as Machine from "./Machine.js"
import * as NoopReconcile from "./NoopReconcile.js"
import * as RateLimited from "./RateLimited.js"
import * as Report from "./Report.js"
import * as Startup from "./Startup.js"

/** Every tenant, change set and sample derives from it, so that two runs measure the same work. */
export const randomSeed = 5_2025

/** No-op runs measure work, not pacing: the simulator has no limit there, so neither client is held back. */
export const noopTuning: Contenders.Tuning = { rateLimit: 1_000, burst: 1_000, concurrency: 8 }

export interface Sizes {
  readonly noop: ReadonlyArray<NoopReconcile.Options>
  readonly rateLimited: ReadonlyArray<RateLimited.Options>
  readonly daemonChanges: ReadonlyArray<DaemonRun.ChangeOptions>
  readonly daemonMemory: ReadonlyArray<DaemonRun.MemoryOptions>
}

/** The baseline walks every org of the smallest tenant; on larger ones it runs on a sample of orgs. */
const noop = (orgs: number, baselineSample: number): NoopReconcile.Options => ({
  orgs,
  baselineSample,
  tuning: noopTuning,
  planRuns: 5,
  randomSeed
})

const rateLimited = (
  orgs: number,
  changes: number,
  serverLimit: number,
  clientLimit: number,
  baselinePerStratum: number
): RateLimited.Options => ({
  orgs,
  changes,
  latencyMs: 20,
  serverLimit,
  clientLimit,
  concurrency: 8,
  baselinePerStratum,
  randomSeed
})

/** The daemon works on no-op tenants, like the no-op runs: its figures are its own, not the server's pacing. */
const daemonChanges = (orgs: number, changes: number): DaemonRun.ChangeOptions => ({
  orgs,
  changes,
  tuning: noopTuning,
  randomSeed
})

const daemonMemory = (orgs: number): DaemonRun.MemoryOptions => ({
  orgs,
  forcedPasses: 3,
  tuning: noopTuning,
  randomSeed
})

export const sizes = (quick: boolean): Sizes =>
  quick
    ? {
      noop: [noop(500, 500), noop(2_000, 100), noop(5_000, 20)],
      rateLimited: [rateLimited(1_000, 100, 100, 100, 20), rateLimited(1_000, 100, 50, 200, 20)],
      daemonChanges: [daemonChanges(200, 9)],
      daemonMemory: [daemonMemory(2_000)]
    }
    : {
      noop: [noop(1_000, 1_000), noop(10_000, 100), noop(100_000, 20)],
      rateLimited: [rateLimited(10_000, 1_000, 100, 100, 50), rateLimited(10_000, 1_000, 50, 200, 50)],
      daemonChanges: [daemonChanges(200, 20)],
      daemonMemory: [daemonMemory(10_000)]
    }

/** Each run in a scenario is bounded too; this also bounds the work between them. */
const scenarioTimeout = Duration.minutes(5)

const bounded = <A, R>(scenario: Effect.Effect<A, BenchError, R>) =>
  Effect.timeoutFail(scenario, {
    duration: scenarioTimeout,
    onTimeout: () => new BenchError({ message: `the scenario did not finish within ${Duration.format(scenarioTimeout)}` })
  })

const resultsDir = fileURLToPath(new URL("../results/", import.meta.url))

/** `2026-05-05T093000Z`: sortable, and without the colons some file systems refuse. */
const fileStamp = (date: Date) => date.toISOString().replace(/\.\d+Z$/, "Z").replace(/:/g, "")

/** Runs every scenario and answers the report, also written to bench/results/<date>.md. */
export const run = (
  quick: boolean
): Effect.Effect<string, PlatformError, CommandExecutor.CommandExecutor | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const startedAt = new Date(yield* Clock.currentTimeMillis)
    const { daemonChanges, daemonMemory, noop, rateLimited } = sizes(quick)
    // First, while nothing else of the benchmark has run on the machine.
    const startup = yield* Effect.either(bounded(Startup.run({ runs: quick ? 5 : 15 })))
    const noopOutcomes: Array<Report.Outcome<NoopReconcile.Options, NoopReconcile.Result>> = []
    for (const options of noop) {
      noopOutcomes.push({ options, result: yield* Effect.either(bounded(NoopReconcile.run(options))) })
    }
    const rateLimitedOutcomes: Array<Report.Outcome<RateLimited.Options, RateLimited.Result>> = []
    for (const options of rateLimited) {
      rateLimitedOutcomes.push({ options, result: yield* Effect.either(bounded(RateLimited.run(options))) })
    }
    // The daemon's status endpoint is read over HTTP.
    const withHttp = Effect.provide(NodeHttpClient.layerUndici)
    const daemonChangeOutcomes: Array<Report.Outcome<DaemonRun.ChangeOptions, DaemonRun.ChangeResult>> = []
    for (const options of daemonChanges) {
      daemonChangeOutcomes.push({
        options,
        result: yield* Effect.either(bounded(DaemonRun.changes(options))).pipe(withHttp)
      })
    }
    const daemonMemoryOutcomes: Array<Report.Outcome<DaemonRun.MemoryOptions, DaemonRun.MemoryResult>> = []
    for (const options of daemonMemory) {
      daemonMemoryOutcomes.push({
        options,
        result: yield* Effect.either(bounded(DaemonRun.memory(options))).pipe(withHttp)
      })
    }
    const startupReport = startup._tag === "Right"
      ? Startup.markdown(startup.right)
      : [`**Start-up**: failed: ${startup.left.message}`]
    const report = [Report.markdown({
      startedAt,
      durationMillis: (yield* Clock.currentTimeMillis) - startedAt.getTime(),
      machine: Machine.current(),
      quick,
      noopTuning,
      noop: noopOutcomes,
      rateLimited: rateLimitedOutcomes,
      daemonChanges: daemonChangeOutcomes,
      daemonMemory: daemonMemoryOutcomes
    }), ...startupReport, ""].join("\n")
    const fs = yield* FileSystem.FileSystem
    const file = `${resultsDir}${fileStamp(startedAt)}${quick ? "-quick" : ""}.md`
    yield* fs.makeDirectory(resultsDir, { recursive: true })
    yield* fs.writeFileString(file, report)
    yield* Console.log(report)
    yield* Console.error(`Wrote ${file}`)
    return report
  })

/** Only the scenarios under a rate limit, as `run` runs them; the report on stdout and in bench/results/. */
export const runRate = (
  quick: boolean
): Effect.Effect<string, PlatformError, CommandExecutor.CommandExecutor | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const startedAt = new Date(yield* Clock.currentTimeMillis)
    const rateLimitedOutcomes: Array<Report.Outcome<RateLimited.Options, RateLimited.Result>> = []
    for (const options of sizes(quick).rateLimited) {
      rateLimitedOutcomes.push({ options, result: yield* Effect.either(bounded(RateLimited.run(options))) })
    }
    const report = Report.rateMarkdown({
      startedAt,
      durationMillis: (yield* Clock.currentTimeMillis) - startedAt.getTime(),
      machine: Machine.current(),
      quick,
      noopTuning,
      noop: [],
      rateLimited: rateLimitedOutcomes,
      daemonChanges: [],
      daemonMemory: []
    })
    const fs = yield* FileSystem.FileSystem
    const file = `${resultsDir}${fileStamp(startedAt)}-rate${quick ? "-quick" : ""}.md`
    yield* fs.makeDirectory(resultsDir, { recursive: true })
    yield* fs.writeFileString(file, report)
    yield* Console.log(report)
    yield* Console.error(`Wrote ${file}`)
    return report
  })
