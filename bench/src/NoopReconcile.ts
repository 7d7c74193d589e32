/**
 * The no-op reconcile: a generated tenant whose desired state is its own `orgsync import`, so there is nothing
 * to do. Measures what orgsync spends to find that out (calls, wall time, peak memory, and the plan alone, in
 * process), and what the baseline script spends on the same tree.
 */
import type { CommandExecutor, FileSystem } from "@effect/platform"
import { Console, Effect } from "effect"
import { PCGRandom } from "effect/Utils"
import { type BenchError, fromCause } from "./BenchError.js"
import * as Contenders from "./Contenders.js"
import * as Extrapolation from "./Extrapolation.js"
import type * as ProcessRun from "./ProcessRun.js"
import * as RequestStats from "./RequestStats.js"
import * as Stage from "./Stage.js"
import * as Spread from "./Spread.js"

export interface Options {
  /** Orgs in the tenant, the top-level org included. */
  readonly orgs: number
  /** Orgs the baseline handles; fewer than the tree's, and its figures are extrapolated. */
  readonly baselineSample: number
  readonly tuning: Contenders.Tuning
  readonly planRuns: number
  readonly randomSeed: number
}

export interface OrgsyncRun {
  readonly measured: ProcessRun.Measured
  readonly stats: RequestStats.RequestStats
}

export interface Result {
  readonly options: Options
  /** The list pages a read of the whole tenant takes at 1,000 orgs a page (a full last page costs one more). */
  readonly listPages: number
  /** `orgsync apply` on a fresh state database, then again on the state database it left. */
  readonly orgsync: { readonly first: OrgsyncRun; readonly again: OrgsyncRun }
  readonly plan: {
    readonly medianMillis: number
    readonly changes: number
    readonly conflicts: number
  }
  readonly baseline: Extrapolation.BaselineFigures
}

/** The largest page the list endpoint serves, which orgsync asks for. */
export const pageSize = 1000

const timed = <A>(f: () => A) => {
  const started = performance.now()
  const value = f()
  return { value, millis: performance.now() - started }
}

export const run = (
  options: Options
): Effect.Effect<Result, BenchError, CommandExecutor.CommandExecutor | FileSystem.FileSystem> =>
  Effect.scoped(Effect.gen(function*() {
    const label = `no-op, ${options.orgs.toLocaleString("en-US")} orgs`
    const stage = yield* Stage.make(options.orgs, options.randomSeed)
    const files = yield* Contenders.orgsyncFiles(stage.dir, options.tuning)
    yield* Console.error(`${label}: orgsync import`)
    yield* Contenders.orgsyncImport(stage.connection, files)

    yield* Console.error(`${label}: Plan.make in process, ${options.planRuns} times`)
    const state = yield* Stage.desired(files.desired)
    const orgs = Stage.remote(stage)
    const runs = Array.from({ length: options.planRuns }, () => timed(() => Stage.plan(state, orgs)))
    const plan = runs[0]!.value

    const apply = Effect.gen(function*() {
      stage.sim.clearRequests()
      const measured = yield* Contenders.orgsyncApply(stage.connection, files)
      const run: OrgsyncRun = { measured, stats: RequestStats.summarize(stage.sim.requests()) }
      return run
    })
    yield* Console.error(`${label}: orgsync apply, twice`)
    const first = yield* apply
    const again = yield* apply

    const sample = Extrapolation.sample(new PCGRandom(options.randomSeed), [{
      paths: Stage.flatten(state).map((org) => org.path),
      size: options.baselineSample
    }])
    yield* Console.error(
      `${label}: baseline on ${sample.complete ? "every org" : `${options.baselineSample} sampled orgs`}`
    )
    stage.sim.clearRequests()
    const baseline = yield* Contenders.baseline(
      stage.connection,
      options.tuning,
      stage.dir,
      files.desired,
      Extrapolation.only(sample)
    )
    const result: Result = {
      options,
      listPages: Math.floor(options.orgs / pageSize) + 1,
      orgsync: { first, again },
      plan: {
        medianMillis: Spread.spread(runs.map((run) => run.millis))!.median,
        changes: plan.changes.length,
        conflicts: plan.conflicts.length
      },
      baseline: Extrapolation.baselineFigures(baseline, sample, RequestStats.summarize(stage.sim.requests()))
    }
    return result
  })).pipe(Effect.mapError(fromCause))
