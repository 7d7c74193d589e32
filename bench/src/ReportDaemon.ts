/** The bench's Markdown section on the daemon: its passes, their calls and times, and its memory. */
import * as DaemonRun from "./DaemonRun.js"
import type { Run } from "./Report.js"
import * as Spread from "./Spread.js"
import { count, countOf, done, duration, failures, megabytes, table } from "./ReportFormat.js"

const spreadRow = (name: string, values: ReadonlyArray<number>): ReadonlyArray<ReadonlyArray<string>> => {
  const spread = Spread.spread(values)
  return spread === undefined
    ? []
    : [[name, count(spread.count), ...[spread.min, spread.median, spread.p90, spread.max].map(duration)]]
}

/** Whole when every pass made the same calls, as a no-op pass should. */
const perPass = (calls: number, passes: number) =>
  calls % passes === 0 ? count(calls / passes) : (calls / passes).toFixed(1)

const bothMemories = (memory: DaemonRun.Memory) => `${megabytes(memory.peakBytes)} / ${megabytes(memory.currentBytes)}`

export const daemonSection = (run: Run): ReadonlyArray<string> => [
  "## The daemon (`orgsync run`)",
  "",
  "`orgsync run` as its own process on a desired file imported from the tenant, its client tuned as in the " +
  "no-op runs, its interval 5 minutes: every pass here comes from its start or from a change to the file. It " +
  "says through `/api/status` when a pass has ended.",
  "",
  ...done(run.daemonChanges).flatMap((result) => {
    const millis = (keep: (attempt: DaemonRun.Try) => boolean) =>
      result.tries.filter(keep).map((attempt) => attempt.millis)
    return [
      `### From a saved change to Code42, ${count(result.options.orgs)} orgs`,
      "",
      "One-org changes saved one after another, each once the daemon is idle again, the kinds in turn; every " +
      "second one saved as editors do (a temporary file renamed over the desired file). Timed from the end of " +
      "the save until the simulator's tree shows the change (looked at every 10 ms): the daemon's wait for the " +
      "files to settle, its read of the files and of the tenant, and the write.",
      "",
      table(["changes", "tries", "min", "median", "p90", "max"], "lrrrrr", [
        ...spreadRow("all", millis(() => true)),
        ...spreadRow("create", millis((attempt) => attempt.kind === "create")),
        ...spreadRow("rename", millis((attempt) => attempt.kind === "rename")),
        ...spreadRow("block / unblock", millis((attempt) => attempt.kind === "block" || attempt.kind === "unblock")),
        ...spreadRow("saved in place", millis((attempt) => attempt.save === "in place")),
        ...spreadRow("temporary file renamed over", millis((attempt) => attempt.save === "renamed over"))
      ]),
      ""
    ]
  }),
  ...failures(run.daemonChanges, (options) => `changes in ${count(options.orgs)} orgs`),
  "### Resident memory with nothing to do",
  "",
  "The desired file is the tenant's own `orgsync import`. Memory from /proc/PID/status once the first pass has " +
  "converged, and again after more passes, each forced by touching the desired file: peak is the high-water " +
  "mark (VmHWM), current the resident set at that moment (VmRSS).",
  "",
  table(
    [
      "orgs",
      "spawn → converged",
      "first pass",
      "converged: peak / current",
      "forced passes",
      "forced pass (median)",
      "calls per forced pass",
      "after them: peak / current"
    ],
    "rrrrrrrr",
    done(run.daemonMemory).map((result) => [
      count(result.options.orgs),
      duration(result.startupMillis),
      duration(result.first.finishedAt.getTime() - result.first.startedAt.getTime()),
      bothMemories(result.converged),
      count(result.forced.length),
      duration(
        Spread.spread(result.forced.map((pass) => pass.finishedAt.getTime() - pass.startedAt.getTime()))?.median ?? 0
      ),
      result.forced.length === 0 ? "—" : perPass(result.forcedStats.total, result.forced.length),
      bothMemories(result.afterForced)
    ])
  ),
  "",
  ...done(run.daemonMemory).flatMap((result) => {
    const applied = result.first.applied + result.forced.reduce((sum, pass) => sum + pass.applied, 0)
    const size = count(result.options.orgs)
    return applied > 0 ? [`- ${size} orgs: the daemon wrote ${countOf(applied, "time")} where there was nothing to do.`] : []
  }),
  ...failures(run.daemonMemory, (options) => `memory with ${count(options.orgs)} orgs`)
]
