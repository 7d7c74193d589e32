/**
 * Changes under a rate limit: a generated tenant, a change set applied to its imported desired state, and a
 * simulator that answers with latency and limits requests per second (429 with Retry-After past its limit).
 * orgsync is configured at the server's limit, or above it when the limit is unknown to it; the baseline gets
 * the same client settings and starts from the same tenant.
 */
import { type CommandExecutor, FileSystem } from "@effect/platform"
import type { Org } from "@c42/core"
import { Plan, RemoteTree } from "@c42/reconcile"
import { Console, Effect } from "effect"
import { PCGRandom } from "effect/Utils"
import { BenchError, fromCause } from "./BenchError.js"
import * as ChangeSet from "./ChangeSet.js"
import * as Contenders from "./Contenders.js"
import * as Extrapolation from "./Extrapolation.js"
import { pageSize } from "./NoopReconcile.js"
import type * as ProcessRun from "./ProcessRun.js"
import * as RequestStats from "./RequestStats.js"
import * as Stage from "./Stage.js"

export interface Options {
  readonly orgs: number
  readonly changes: number
  readonly latencyMs: number
  /** What the simulator lets through, requests per second. */
  readonly serverLimit: number
  /** What orgsync (and the baseline) are configured for, requests per second. */
  readonly clientLimit: number
  readonly concurrency: number
  /** Orgs the baseline handles among the changed ones, and among the others. */
  readonly baselinePerStratum: number
  readonly randomSeed: number
}

export interface Result {
  readonly options: Options
  readonly counts: Readonly<Record<ChangeSet.Edit, number>>
  /** The plan's change count: the fewest writes that converge. */
  readonly minimumWrites: number
  /** A sign-in, one read of the tenant, and the writes. */
  readonly minimumCalls: number
  /** Depth of the tree below the top-level org. */
  readonly levels: number
  /** minimumCalls at the server's limit, plus one latency per tree level. */
  readonly lowerBoundMillis: number
  readonly orgsync: {
    readonly measured: ProcessRun.Measured
    readonly stats: RequestStats.RequestStats
    /** A plan made after the run has nothing left to do. */
    readonly converged: boolean
  }
  readonly baseline: Extrapolation.BaselineFigures
}

/**
 * What a run is held to. At a known limit (orgsync set at or below the server's), no 429 at all and a wall time
 * close to the lower bound, from the process start; at an unknown one, orgsync finds the limit: few writes
 * refused, most of the limit used, a little more time.
 */
export const targets = {
  knownWallOverLowerBound: 1.15,
  wallOverLowerBound: 1.2,
  throttledWriteShare: 0.02,
  limitShare: 0.9
} as const

/** The figures a run is judged by. */
export interface Figures {
  /** Whether the server's limit was known to orgsync (its client set at or below it). */
  readonly knownLimit: boolean
  /** Writes sent, whatever their answer, and those answered 429. */
  readonly writes: number
  readonly throttledWrites: number
  /** Answers 429 of any request. */
  readonly throttled: number
  /** Writes the server carried out. */
  readonly acceptedWrites: number
  readonly throttledWriteShare: number
  /** Accepted writes per second, and that rate as a share of the server's limit. */
  readonly writeRate: number | undefined
  readonly limitShare: number | undefined
  readonly wallOverLowerBound: number
  /** The wall time the run is held to, as a multiple of the lower bound: known and unknown limits differ. */
  readonly wallTarget: number
}

export const figures = (
  result: Pick<Result, "options" | "lowerBoundMillis"> & {
    readonly orgsync: { readonly measured: Pick<ProcessRun.Measured, "wallMillis">; readonly stats: RequestStats.RequestStats }
  }
): Figures => {
  const { stats } = result.orgsync
  const writeRate = RequestStats.writeRate(stats)
  const knownLimit = result.options.clientLimit <= result.options.serverLimit
  return {
    knownLimit,
    writes: stats.writes,
    throttledWrites: stats.throttledWrites,
    throttled: stats.throttled,
    acceptedWrites: stats.acceptedWrites,
    throttledWriteShare: stats.writes === 0 ? 0 : stats.throttledWrites / stats.writes,
    writeRate,
    limitShare: writeRate === undefined ? undefined : writeRate / result.options.serverLimit,
    wallOverLowerBound: result.orgsync.measured.wallMillis / result.lowerBoundMillis,
    wallTarget: knownLimit ? targets.knownWallOverLowerBound : targets.wallOverLowerBound
  }
}

/** How many levels the tree has below its top-level org. */
const depth = (orgs: ReadonlyArray<Org.Org>): number => {
  const { children } = RemoteTree.index(orgs)
  let levels = -1
  for (
    let frontier = orgs.filter((org) => org.parentOrgUid == null).map((org) => org.orgUid);
    frontier.length > 0;
    frontier = frontier.flatMap((uid) => (children.get(uid) ?? []).map((org) => org.orgUid))
  ) levels++
  return levels
}

export const run = (
  options: Options
): Effect.Effect<Result, BenchError, CommandExecutor.CommandExecutor | FileSystem.FileSystem> =>
  Effect.scoped(Effect.gen(function*() {
    const label = `${options.changes.toLocaleString("en-US")} changes, server ${options.serverLimit}/s, ` +
      `client ${options.clientLimit}/s`
    const fs = yield* FileSystem.FileSystem
    const stage = yield* Stage.make(options.orgs, options.randomSeed)
    const tuning: Contenders.Tuning = {
      rateLimit: options.clientLimit,
      burst: options.clientLimit,
      concurrency: options.concurrency
    }
    const files = yield* Contenders.orgsyncFiles(stage.dir, tuning)
    yield* Console.error(`${label}: orgsync import, then ${options.changes} edits`)
    yield* Contenders.orgsyncImport(stage.connection, files)
    const before = Stage.remote(stage)
    const changeSet = yield* ChangeSet.make(
      yield* fs.readFileString(files.desired),
      before,
      options.changes,
      options.randomSeed
    )
    yield* fs.writeFileString(files.desired, changeSet.yaml)
    const state = yield* Stage.desired(files.desired)
    const plan = Stage.plan(state, before)
    if (plan.conflicts.length > 0 || plan.refusal !== undefined) {
      return yield* new BenchError({
        message: `the change set plans ${plan.conflicts.length} conflicts` +
          (plan.refusal === undefined ? "" : ` and is refused: ${plan.refusal.message}`)
      })
    }
    const levels = depth(before)
    const minimumCalls = 1 + Math.floor(options.orgs / pageSize) + 1 + plan.changes.length

    const limit = { latencyMs: options.latencyMs, rateLimit: options.serverLimit }
    yield* Console.error(`${label}: orgsync apply`)
    stage.sim.setFaults(limit)
    stage.sim.clearRequests()
    const measured = yield* Contenders.orgsyncApply(stage.connection, files)
    const stats = RequestStats.summarize(stage.sim.requests())
    const after = Stage.plan(state, Stage.remote(stage))

    // The baseline starts from the same tenant, with a full bucket.
    stage.sim.reset()
    stage.sim.setFaults(limit)
    stage.sim.clearRequests()
    const changed = new Set(changeSet.changedPaths)
    const sample = Extrapolation.sample(new PCGRandom(options.randomSeed), [
      { paths: changeSet.changedPaths, size: options.baselinePerStratum },
      {
        paths: Stage.flatten(state).map((org) => org.path).filter((path) => !changed.has(path)),
        size: options.baselinePerStratum
      }
    ])
    yield* Console.error(`${label}: baseline`)
    const baseline = yield* Contenders.baseline(
      stage.connection,
      tuning,
      stage.dir,
      files.desired,
      Extrapolation.only(sample)
    )
    const result: Result = {
      options,
      counts: changeSet.counts,
      minimumWrites: plan.changes.length,
      minimumCalls,
      levels,
      lowerBoundMillis: (minimumCalls / options.serverLimit) * 1000 + levels * options.latencyMs,
      orgsync: {
        measured,
        stats,
        converged: Plan.converged(after)
      },
      baseline: Extrapolation.baselineFigures(baseline, sample, RequestStats.summarize(stage.sim.requests()))
    }
    return result
  })).pipe(Effect.mapError(fromCause))
