/**
 * The results as Markdown: a header with the machine, one table per scenario family with orgsync and the
 * baseline side by side, where orgsync's calls and time go, and the targets with PASS or MISS as measured.
 */
import type { Either } from "effect"
import type { BenchError } from "./BenchError.js"
import * as DaemonRun from "./DaemonRun.js"
import * as Machine from "./Machine.js"
import type * as NoopReconcile from "./NoopReconcile.js"
import type * as ProcessRun from "./ProcessRun.js"
import * as RateLimited from "./RateLimited.js"
import * as RequestStats from "./RequestStats.js"
import { daemonSection } from "./ReportDaemon.js"
import {
  approx,
  calls,
  count,
  done,
  duration,
  failures,
  megabytes,
  percent,
  ratio,
  sampledNote,
  table,
  verdict
} from "./ReportFormat.js"

/** One scenario's options and what came of it. */
export interface Outcome<O, R> {
  readonly options: O
  readonly result: Either.Either<R, BenchError>
}

export interface Run {
  readonly startedAt: Date
  readonly durationMillis: number
  readonly machine: Machine.Machine
  readonly quick: boolean
  readonly noopTuning: { readonly rateLimit: number; readonly burst: number; readonly concurrency: number }
  readonly noop: ReadonlyArray<Outcome<NoopReconcile.Options, NoopReconcile.Result>>
  readonly rateLimited: ReadonlyArray<Outcome<RateLimited.Options, RateLimited.Result>>
  readonly daemonChanges: ReadonlyArray<Outcome<DaemonRun.ChangeOptions, DaemonRun.ChangeResult>>
  readonly daemonMemory: ReadonlyArray<Outcome<DaemonRun.MemoryOptions, DaemonRun.MemoryResult>>
}

/** Targets of issue 5, as the benchmark checks them. */
export const targets = {
  planMillis: 2_000,
  planResidentBytes: 400 * 1e6,
  planOrgs: 100_000
} as const

const phases = (measured: ProcessRun.Measured, stats: RequestStats.RequestStats): ReadonlyArray<string> => {
  const end = measured.startedAt + measured.wallMillis
  const { firstRequestAt, firstWriteAt, lastRequestAt, lastWriteAt } = stats
  if (firstRequestAt === undefined || lastRequestAt === undefined) return ["—", "—", "—", "—", duration(measured.wallMillis)]
  const startUp = duration(firstRequestAt - measured.startedAt)
  const exit = duration(end - lastRequestAt)
  if (firstWriteAt === undefined || lastWriteAt === undefined) {
    return [startUp, duration(lastRequestAt - firstRequestAt), "—", "—", exit]
  }
  return [
    startUp,
    duration(firstWriteAt - firstRequestAt),
    duration(lastWriteAt - firstWriteAt),
    duration(lastRequestAt - lastWriteAt),
    exit
  ]
}

// The sections

const noopSection = (run: Run): ReadonlyArray<string> => {
  const results = done(run.noop)
  const { burst, concurrency, rateLimit } = run.noopTuning
  return [
    "## No-op reconcile",
    "",
    `The desired state is \`orgsync import\` of the tenant, so there is nothing to do. The simulator has no ` +
    `latency and no limit; both contenders' clients run at ${count(rateLimit)} requests/s (burst ${count(burst)}), ` +
    `${concurrency} in flight. orgsync is \`orgsync apply --yes\`, run twice: first on a fresh state database, ` +
    `then again on the one it left (figures: first / again); its plan is also timed alone, in process ` +
    `(\`Plan.make\` on the same data). Target calls: the list pages (ceil((N+1)/1000) at 1,000 a page) plus ` +
    `the sign-in. Ratios are the baseline's over orgsync's first run.`,
    "",
    table(
      [
        "orgs",
        "orgsync calls",
        "target",
        "orgsync wall",
        "orgsync peak RSS",
        "plan alone (median)",
        "baseline calls",
        "baseline wall",
        "baseline peak RSS",
        "baseline run on",
        "calls ratio",
        "wall ratio"
      ],
      "rrrrrrrrrlrr",
      results.map((result) => {
        const { baseline, orgsync: { again, first } } = result
        const both = (value: (run: NoopReconcile.OrgsyncRun) => string) => `${value(first)} / ${value(again)}`
        return [
          count(result.options.orgs),
          both((run) => count(run.stats.total)),
          count(result.listPages + 1),
          both((run) => duration(run.measured.wallMillis)),
          both((run) => megabytes(run.measured.peakRssBytes)),
          `${duration(result.plan.medianMillis)} (${result.options.planRuns} runs)`,
          approx(baseline, count(baseline.calls)),
          approx(baseline, duration(baseline.wallMillis)),
          megabytes(baseline.peakRssBytes),
          sampledNote(baseline),
          approx(baseline, ratio(baseline.calls, first.stats.total)),
          approx(baseline, ratio(baseline.wallMillis, first.measured.wallMillis))
        ]
      })
    ),
    "",
    ...results.flatMap((result) => {
      const size = count(result.options.orgs)
      const notes: Array<string> = []
      for (const [name, run] of [["first", result.orgsync.first], ["second", result.orgsync.again]] as const) {
        if (run.measured.exitCode !== 0) {
          notes.push(`- ${size} orgs: the ${name} orgsync apply exited ${run.measured.exitCode}.`)
        }
        if (run.stats.writes > 0) notes.push(`- ${size} orgs: the ${name} orgsync apply wrote ${run.stats.writes} times.`)
      }
      if (result.plan.changes > 0 || result.plan.conflicts > 0) {
        notes.push(
          `- ${size} orgs: the in-process plan of the imported tree has ${result.plan.changes} changes and ` +
            `${result.plan.conflicts} conflicts (expected none).`
        )
      }
      if (result.baseline.writes > 0) {
        notes.push(`- ${size} orgs: the baseline wrote ${approx(result.baseline, count(result.baseline.writes))} times.`)
      }
      return notes
    }),
    ...failures(run.noop, (options) => `${count(options.orgs)} orgs`)
  ]
}

const scenarioName = (options: RateLimited.Options) =>
  `${count(options.changes)} changes in ${count(options.orgs)} orgs, ${options.latencyMs} ms latency, ` +
  `server limit ${options.serverLimit}/s, client set to ${options.clientLimit}/s`

const rateLimitedSection = (run: Run): ReadonlyArray<string> => [
  "## Changes under a rate limit",
  "",
  "A change set of creates, updates, blocks, unblocks, deactivations and reactivations, each one call whatever " +
  "the tool (status changes on leaves, creates under open parents), applied to the imported desired state. " +
  "Minimum writes: the plan's change count. Lower bound: (sign-in + one read of the tenant + the minimum " +
  "writes) ÷ the server's limit, plus one latency per tree level. Both contenders get the same client " +
  "settings (8 in flight) and start from the same tenant.",
  "",
  ...done(run.rateLimited).flatMap((result) => {
    const { baseline, orgsync } = result
    const stats = orgsync.stats
    const rate = RequestStats.writeRate(stats)
    const reads = stats.total - stats.writes
    return [
      `### ${scenarioName(result.options)}`,
      "",
      `Changes: ${Object.entries(result.counts).map(([edit, n]) => `${n} ${edit}`).join(", ")}; ` +
      `minimum writes ${count(result.minimumWrites)}; tree depth ${result.levels}; lower bound ` +
      `${duration(result.lowerBoundMillis)}.`,
      "",
      table(
        ["contender", "writes", "other calls", "429s", "wall time", "wall ÷ lower bound", "write rate", "run on"],
        "lrrrrrrl",
        [
          [
            "orgsync",
            count(stats.writes),
            count(reads),
            count(stats.throttled),
            duration(orgsync.measured.wallMillis),
            ratio(orgsync.measured.wallMillis, result.lowerBoundMillis),
            rate === undefined ? "n/a" : `${rate.toFixed(1)}/s`,
            `every org; ${orgsync.converged ? "converged" : "**did not converge**"}` +
            (orgsync.measured.exitCode === 0 ? "" : `, exit ${orgsync.measured.exitCode}`)
          ],
          [
            "baseline",
            approx(baseline, count(baseline.writes)),
            approx(baseline, count(baseline.calls - baseline.writes)),
            approx(baseline, count(baseline.throttled)),
            approx(baseline, duration(baseline.wallMillis)),
            approx(baseline, ratio(baseline.wallMillis, result.lowerBoundMillis)),
            "",
            sampledNote(baseline) + (baseline.failed > 0 ? `; ${approx(baseline, count(baseline.failed))} orgs failed` : "")
          ],
          [
            "baseline ÷ orgsync",
            "",
            approx(baseline, ratio(baseline.calls - baseline.writes, reads)),
            "",
            approx(baseline, ratio(baseline.wallMillis, orgsync.measured.wallMillis)),
            "",
            "",
            ""
          ]
        ]
      ),
      ""
    ]
  }),
  ...failures(run.rateLimited, scenarioName)
]

const whereSection = (run: Run): ReadonlyArray<string> => {
  const rows = [
    ...done(run.noop).flatMap((result) =>
      ([["first", result.orgsync.first], ["again", result.orgsync.again]] as const).map(([name, run]) => [
        `no-op, ${count(result.options.orgs)} orgs, ${name}`,
        calls(run.stats),
        ...phases(run.measured, run.stats)
      ])
    ),
    ...done(run.rateLimited).map((result) => [
      `${count(result.options.changes)} changes, server ${result.options.serverLimit}/s, client ` +
      `${result.options.clientLimit}/s`,
      calls(result.orgsync.stats),
      ...phases(result.orgsync.measured, result.orgsync.stats)
    ])
  ]
  return [
    "## Where orgsync's calls and time go",
    "",
    "From the simulator's request log (arrival times) and the process's spawn and exit.",
    "",
    table(
      ["run", "calls", "spawn → first call", "first call → first write", "writing", "last write → last call", "last call → exit"],
      "llrrrrr",
      rows
    )
  ]
}

const targetsSection = (run: Run): ReadonlyArray<string> => {
  const rows: Array<ReadonlyArray<string>> = []
  for (const result of done(run.noop)) {
    const target = result.listPages + 1
    for (const [name, run] of [["first", result.orgsync.first], ["again", result.orgsync.again]] as const) {
      rows.push([
        `no-op ${count(result.options.orgs)}, ${name}: calls = list pages + sign-in`,
        `${count(run.stats.total)} vs ${count(target)}`,
        verdict(run.stats.total === target)
      ])
    }
  }
  const largest = done(run.noop).reduce<NoopReconcile.Result | undefined>(
    (max, result) => (max === undefined || result.options.orgs > max.options.orgs ? result : max),
    undefined
  )
  if (largest !== undefined) {
    const size = count(largest.options.orgs)
    const short = largest.options.orgs < targets.planOrgs ? ` (quick run: ${size}, not ${count(targets.planOrgs)} orgs)` : ""
    rows.push([
      `plan of ${size} orgs under ${duration(targets.planMillis)}${short}`,
      duration(largest.plan.medianMillis),
      verdict(largest.plan.medianMillis < targets.planMillis)
    ])
    for (const [name, run] of [["first", largest.orgsync.first], ["again", largest.orgsync.again]] as const) {
      const rss = run.measured.peakRssBytes
      rows.push([
        `orgsync apply of ${size} orgs, ${name}: under ${megabytes(targets.planResidentBytes)} resident${short}`,
        megabytes(rss),
        verdict(rss !== undefined && rss < targets.planResidentBytes)
      ])
    }
  }
  for (const result of done(run.rateLimited)) {
    const name = `${count(result.options.changes)} changes at ${result.options.serverLimit}/s (client ` +
      `${result.options.clientLimit}/s)`
    const figures = RateLimited.figures(result)
    const wallTarget = figures.wallTarget
    rows.push([`${name}: writes carried out = minimum`, `${count(figures.acceptedWrites)} vs ${count(result.minimumWrites)}`,
      verdict(figures.acceptedWrites === result.minimumWrites)])
    rows.push([
      `${name}: wall ≤ ${wallTarget} × lower bound`,
      `${duration(result.orgsync.measured.wallMillis)} vs ${duration(result.lowerBoundMillis * wallTarget)} ` +
      `(${figures.wallOverLowerBound.toFixed(2)}×)`,
      verdict(figures.wallOverLowerBound <= wallTarget)
    ])
    if (figures.knownLimit) {
      rows.push([`${name}: no 429`, count(figures.throttled), verdict(figures.throttled === 0)])
    } else {
      const { limitShare, throttledWriteShare } = RateLimited.targets
      rows.push([
        `${name}: writes answered 429 ≤ ${percent(throttledWriteShare)}`,
        `${count(figures.throttledWrites)} of ${count(figures.writes)} (${percent(figures.throttledWriteShare)})`,
        verdict(figures.throttledWriteShare <= throttledWriteShare)
      ])
      rows.push([
        `${name}: write rate ≥ ${percent(limitShare)} of the unknown ${result.options.serverLimit}/s`,
        figures.writeRate === undefined || figures.limitShare === undefined
          ? "n/a"
          : `${figures.writeRate.toFixed(1)}/s (${percent(figures.limitShare)})`,
        verdict(figures.limitShare !== undefined && figures.limitShare >= limitShare)
      ])
    }
    rows.push([`${name}: converged`, result.orgsync.converged ? "yes" : "no", verdict(result.orgsync.converged)])
  }
  return ["## Targets", "", table(["target", "measured", "result"], "lrc", rows)]
}

export const markdown = (run: Run): string =>
  [
    `# orgsync benchmark, ${run.startedAt.toISOString()}`,
    "",
    `Machine: ${Machine.describe(run.machine)}.`,
    `Run: \`npm run bench${run.quick ? " -- --quick" : ""}\`${run.quick ? " (quick: smaller sizes)" : ""}, ` +
    `${duration(run.durationMillis)}. Everything on loopback: the simulator in the benchmark's process, orgsync ` +
    `(its command line) and the baseline script each as their own Node process. Peak RSS is the kernel's ` +
    `high-water mark (VmHWM), read every 10 ms. ≈ marks baseline figures extrapolated from a random sample ` +
    `of orgs (stratified into changed and unchanged orgs where there are changes), because the whole walk ` +
    `would take hours.`,
    "",
    "The baseline is what a user's script with the SDK does: it walks the desired file top-down and, for each " +
    "org, looks it up by name (`getByName`, which searches the whole tenant), keeps the match under the parent " +
    "it has just handled, then creates, updates, blocks, unblocks, deactivates or reactivates as needed.",
    "",
    ...noopSection(run),
    "",
    ...rateLimitedSection(run),
    "",
    ...daemonSection(run),
    "",
    ...whereSection(run),
    "",
    ...targetsSection(run),
    ""
  ].join("\n")

/** Only the changes under a rate limit and their targets: `npm run bench -- rate`. */
export const rateMarkdown = (run: Run): string =>
  [
    `# orgsync rate benchmark, ${run.startedAt.toISOString()}`,
    "",
    `Machine: ${Machine.describe(run.machine)}.`,
    `Run: \`npm run bench -- rate${run.quick ? " --quick" : ""}\`, ${duration(run.durationMillis)}.`,
    "",
    ...rateLimitedSection(run),
    "",
    ...targetsSection(run),
    ""
  ].join("\n")
