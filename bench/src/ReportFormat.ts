/** How the bench's Markdown writes its figures: counts, durations, sizes, ratios, verdicts and tables. */
import { PlanFormat } from "@c42/reconcile"
import { Either } from "effect"
import type * as Extrapolation from "./Extrapolation.js"
import type * as RequestStats from "./RequestStats.js"
import type { Outcome } from "./Report.js"

export const count = (n: number) => Math.round(n).toLocaleString("en-US")

export const duration = (millis: number) =>
  millis < 1_000
    ? `${Math.round(millis)} ms`
    : millis < 60_000
    ? `${(millis / 1_000).toFixed(1)} s`
    : millis < 3_600_000
    ? `${(millis / 60_000).toFixed(1)} min`
    : `${(millis / 3_600_000).toFixed(1)} h`

export const megabytes = (bytes: number | undefined) => (bytes === undefined ? "n/a" : `${Math.round(bytes / 1e6)} MB`)

export const ratio = (a: number, b: number) => {
  if (b === 0) return "n/a"
  const r = a / b
  return `${r >= 100 ? count(r) : r >= 10 ? r.toFixed(0) : r.toFixed(2)}×`
}

/** A figure with its unit: `1,200 writes`. */
export const countOf = (n: number, one: string, many?: string) => `${count(n)} ${PlanFormat.noun(n, one, many)}`

export const percent = (share: number) => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`

export const verdict = (ok: boolean) => (ok ? "PASS" : "**MISS**")

/** Extrapolated figures are marked, and the table's notes say from how many orgs. */
export const approx = (figures: Extrapolation.BaselineFigures, text: string) =>
  figures.sampled === undefined ? text : `≈ ${text}`

export const sampledNote = (figures: Extrapolation.BaselineFigures) =>
  figures.sampled === undefined
    ? "every org"
    : `${count(figures.sampled.handled)} of ${count(figures.sampled.population)} orgs, extrapolated`

export const table = (header: ReadonlyArray<string>, align: string, rows: ReadonlyArray<ReadonlyArray<string>>) =>
  [
    `| ${header.join(" | ")} |`,
    `|${align.split("").map((a) => (a === "r" ? "---:" : a === "c" ? ":---:" : "---")).join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`)
  ].join("\n")

export const failures = <O, R>(outcomes: ReadonlyArray<Outcome<O, R>>, name: (options: O) => string) =>
  outcomes.flatMap((outcome) =>
    Either.isLeft(outcome.result) ? [`- ${name(outcome.options)}: did not complete: ${outcome.result.left.message}`] : []
  )

export const done = <O, R>(outcomes: ReadonlyArray<Outcome<O, R>>) =>
  outcomes.flatMap((outcome) => (Either.isRight(outcome.result) ? [outcome.result.right] : []))

// Where orgsync's calls and time go

export const calls = (stats: RequestStats.RequestStats) =>
  [
    `${stats.signIns} sign-in`,
    `${countOf(stats.listPages, "list page")} (${countOf(stats.listPasses, "pass", "passes")})`,
    `${countOf(stats.currentOrg, "signed-in org")}`,
    ...(stats.otherReads > 0 ? [countOf(stats.otherReads, "other read")] : []),
    countOf(stats.writes, "write"),
    ...(stats.throttled > 0 ? [`${count(stats.throttled)} answered 429`] : []),
    ...(stats.failed > 0 ? [`${count(stats.failed)} failed`] : [])
  ].join(" · ")

/** Spawn to first call, reading, writing, after the last write, last call to exit. */
