/**
 * `bench noop`: only orgsync's side of the no-op reconcile, as an operator would run it on a tenant that already
 * matches its file: `orgsync plan`, then `orgsync apply --yes` on a fresh state database and again on the state
 * database it left. Each is a process of its own, measured for wall time and peak resident memory; no baseline
 * and no plan in process, so that a figure of the largest tenant takes a minute, not the whole benchmark.
 */
import type { CommandExecutor, FileSystem } from "@effect/platform"
import { Console, Effect } from "effect"
import { BenchError, fromCause } from "./BenchError.js"
import * as Contenders from "./Contenders.js"
import * as Machine from "./Machine.js"
import type * as ProcessRun from "./ProcessRun.js"
import { duration, megabytes, table, verdict } from "./ReportFormat.js"
import { targets } from "./Report.js"
import * as Stage from "./Stage.js"

export interface Options {
  /** Orgs in the tenant, the top-level org included. */
  readonly orgs: number
  readonly tuning: Contenders.Tuning
  readonly randomSeed: number
}

export interface Result {
  readonly options: Options
  readonly plan: ProcessRun.Measured
  readonly first: ProcessRun.Measured
  readonly again: ProcessRun.Measured
  /** The machine after the runs, its load average included: wall times on a shared machine need it. */
  readonly machine: Machine.Machine
}

/** A no-op must end as one: `plan` exits 0 (no changes), `apply` exits 0. */
const noChanges = (label: string) => (measured: ProcessRun.Measured) =>
  measured.exitCode === 0
    ? Effect.succeed(measured)
    : Effect.fail(
      new BenchError({
        message: `${label} exited ${measured.exitCode}: ${(measured.stderr || measured.stdout).trim().slice(-2000)}`
      })
    )

export const run = (
  options: Options
): Effect.Effect<Result, BenchError, CommandExecutor.CommandExecutor | FileSystem.FileSystem> =>
  Effect.scoped(Effect.gen(function*() {
    const label = `no-op, ${options.orgs.toLocaleString("en-US")} orgs`
    const stage = yield* Stage.make(options.orgs, options.randomSeed)
    const files = yield* Contenders.orgsyncFiles(stage.dir, options.tuning)
    yield* Console.error(`${label}: orgsync import`)
    yield* Contenders.orgsyncImport(stage.connection, files)
    yield* Console.error(`${label}: orgsync plan`)
    const plan = yield* Contenders.orgsyncPlan(stage.connection, files).pipe(Effect.flatMap(noChanges("orgsync plan")))
    yield* Console.error(`${label}: orgsync apply, twice`)
    const first = yield* Contenders.orgsyncApply(stage.connection, files).pipe(Effect.flatMap(noChanges("orgsync apply")))
    const again = yield* Contenders.orgsyncApply(stage.connection, files).pipe(Effect.flatMap(noChanges("orgsync apply")))
    const result: Result = { options, plan, first, again, machine: Machine.current() }
    return result
  })).pipe(Effect.mapError(fromCause))

/** The figures as Markdown, with the targets of the largest tenant. */
export const markdown = (result: Result): ReadonlyArray<string> => {
  const runs = [["orgsync plan", result.plan], ["orgsync apply, first", result.first], [
    "orgsync apply, again",
    result.again
  ]] as const
  const within = (measured: ProcessRun.Measured) =>
    measured.peakRssBytes !== undefined && measured.peakRssBytes < targets.planResidentBytes
  return [
    `**No-op of ${result.options.orgs.toLocaleString("en-US")} orgs, orgsync alone**`,
    "",
    `Machine: ${Machine.describe(result.machine)}.`,
    "",
    table(
      ["run", "wall time", "peak RSS", `under ${megabytes(targets.planResidentBytes)}`],
      "lrrc",
      runs.map(([name, measured]) => [
        name,
        duration(measured.wallMillis),
        megabytes(measured.peakRssBytes),
        verdict(within(measured))
      ])
    ),
    "",
    "Wall times are of the whole process (reading the listing included) on a machine that may be shared: the " +
    `target of ${duration(targets.planMillis)} is for the plan alone, which the whole benchmark measures.`
  ]
}
