/**
 * The daemon's own metrics, and the Prometheus text exposition (format 0.0.4) of the metrics in Effect's
 * default registry: the daemon's and the Code42 client's alike, without Effect's own (`effect_fiber_*`, ...),
 * which describe the runtime, not the product.
 */
import type { Plan } from "@c42/reconcile"
import { Effect, Metric, MetricBoundaries, type MetricPair, MetricState, Option } from "effect"
import { type PassSummary, passOutcomes } from "./DaemonStatus.js"
import { commit, version } from "./Version.js"

/**
 * Always 1; its labels say which build (version, and the commit it was built from) runs on which Node, so that a
 * dashboard can tell deployments apart.
 */
export const buildInfo: Metric.Metric.Gauge<number> = Metric.gauge("orgsync_build_info", {
  description: "The orgsync version, the commit it was built from and the Node version it runs on (always 1)"
}).pipe(Metric.tagged("version", version), Metric.tagged("commit", commit), Metric.tagged("node", process.version))

export const passesTotal = Metric.counter("orgsync_passes_total", {
  description: "Reconcile passes by result (converged, pending, error)",
  incremental: true
})

export const passDuration = Metric.histogram(
  "orgsync_pass_duration_seconds",
  MetricBoundaries.exponential({ start: 0.05, factor: 2, count: 14 }),
  "Duration of reconcile passes in seconds"
)

export const pendingChanges = Metric.gauge("orgsync_pending_changes", {
  description: "Changes still to make after the last pass (all planned changes under --dry-run)"
})

export const driftChanges = Metric.gauge("orgsync_drift_changes", {
  description: "Changes made in Code42 by hand that the last pass found"
})

/**
 * One series per kind, `orgsync_conflicts{kind="contested"}` (orgs another writer contests) and every other, and no
 * total beside them, which a `sum()` would count twice.
 */
export const conflicts = Metric.gauge("orgsync_conflicts", {
  description: "Conflicts the last pass reported, by kind"
})

/** Every kind of conflict, so that each has its series from the start (the record makes the compiler list all). */
const conflictKinds = Object.keys(
  {
    ambiguous: null,
    "pin-missing": null,
    "pin-outside-root": null,
    "parent-differs": null,
    protected: null,
    "signed-in-org": null,
    "parent-deactivated": null,
    "parent-blocked": null,
    duplicate: null,
    contested: null,
    "refused-by-code42": null,
    unsupported: null
  } satisfies Record<Plan.ConflictKind, null>
) as ReadonlyArray<Plan.ConflictKind>

const setConflicts = (byKind: PassSummary["conflictKinds"]) =>
  conflictKinds.map((kind) => Metric.set(Metric.tagged(conflicts, "kind", kind), byKind?.[kind] ?? 0))

export const desiredValid = Metric.gauge("orgsync_desired_valid", {
  description: "1 when the desired files validate, 0 when they do not (the last good state stays in force)"
})

export const lastSuccess = Metric.gauge("orgsync_last_success_timestamp_seconds", {
  description: "When a pass last reached Code42 and finished, in unix seconds"
})

/**
 * Gives every series of the daemon a first value, so that scrapes see them (at zero) before the first pass:
 * a series that appears late breaks `rate()` and alerts on absence.
 */
export const register: Effect.Effect<void> = Effect.all([
  Metric.set(buildInfo, 1),
  ...passOutcomes.map((result) => Metric.update(Metric.tagged(passesTotal, "result", result), 0)),
  Metric.set(pendingChanges, 0),
  Metric.set(driftChanges, 0),
  ...setConflicts({}),
  Metric.set(desiredValid, 0),
  Metric.set(lastSuccess, 0)
], { discard: true })

/** Counts a pass and its duration; one that reached Code42 also sets what it found and the success time. */
export const recordPass = (pass: PassSummary): Effect.Effect<void> =>
  Effect.all([
    Metric.increment(Metric.tagged(passesTotal, "result", pass.result)),
    Metric.update(passDuration, (pass.finishedAt.getTime() - pass.startedAt.getTime()) / 1000),
    ...(pass.result === "error" ? [] : [
      Metric.set(pendingChanges, pass.pending),
      Metric.set(driftChanges, pass.drift),
      ...setConflicts(pass.conflictKinds),
      Metric.set(lastSuccess, pass.finishedAt.getTime() / 1000)
    ])
  ], { discard: true })

export const recordDesired = (valid: boolean): Effect.Effect<void> => Metric.set(desiredValid, valid ? 1 : 0)

// ---------------------------------------------------------------------------------------------------------
// Prometheus text format 0.0.4

/** The content type of the exposition. */
export const contentType = "text/plain; version=0.0.4; charset=utf-8"

const metricName = (name: string): string => {
  const clean = name.replace(/[^a-zA-Z0-9_:]/g, "_")
  return /^[a-zA-Z_:]/.test(clean) ? clean : `_${clean}`
}

const labelName = (name: string): string => {
  const clean = name.replace(/[^a-zA-Z0-9_]/g, "_")
  return /^[a-zA-Z_]/.test(clean) ? clean : `_${clean}`
}

const escapeLabel = (value: string): string =>
  value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, "\\\"")

const escapeHelp = (text: string): string => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

const formatValue = (value: number | bigint): string => {
  if (typeof value === "bigint") return value.toString()
  if (Number.isNaN(value)) return "NaN"
  if (value === Infinity) return "+Inf"
  if (value === -Infinity) return "-Inf"
  return String(value)
}

type Labels = ReadonlyArray<readonly [string, string]>

const sample = (name: string, labels: Labels, value: number | bigint): string => {
  const rendered = labels.map(([key, text]) => `${labelName(key)}="${escapeLabel(text)}"`).join(",")
  return `${name}${rendered === "" ? "" : `{${rendered}}`} ${formatValue(value)}`
}

type Family = "counter" | "gauge" | "histogram" | "summary"

/** The family of a metric and its sample lines; `undefined` for a kind Prometheus has no family for. */
const exposition = (
  name: string,
  labels: Labels,
  state: MetricState.MetricState.Untyped
): { readonly family: Family; readonly lines: ReadonlyArray<string> } | undefined => {
  if (MetricState.isCounterState(state)) return { family: "counter", lines: [sample(name, labels, state.count)] }
  if (MetricState.isGaugeState(state)) return { family: "gauge", lines: [sample(name, labels, state.value)] }
  if (MetricState.isFrequencyState(state)) {
    return {
      family: "counter",
      lines: [...state.occurrences].map(([key, count]) => sample(name, [...labels, ["key", key]], count))
    }
  }
  if (MetricState.isHistogramState(state)) {
    // Effect's buckets are cumulative and end with the +Inf bucket, as Prometheus wants them.
    return {
      family: "histogram",
      lines: [
        ...state.buckets.map(([bound, count]) =>
          sample(`${name}_bucket`, [...labels, ["le", formatValue(bound)]], count)
        ),
        sample(`${name}_sum`, labels, state.sum),
        sample(`${name}_count`, labels, state.count)
      ]
    }
  }
  if (MetricState.isSummaryState(state)) {
    return {
      family: "summary",
      lines: [
        ...state.quantiles.map(([quantile, value]) =>
          sample(name, [...labels, ["quantile", formatValue(quantile)]], Option.getOrElse(value, () => NaN))
        ),
        sample(`${name}_sum`, labels, state.sum),
        sample(`${name}_count`, labels, state.count)
      ]
    }
  }
  return undefined
}

/**
 * An info series (`*_info`, 1 for what holds now) set to 0 no longer holds: it is left out, as Prometheus
 * expects of an info metric whose labels changed (Effect's registry keeps every series once made).
 */
const stale = (name: string, state: MetricState.MetricState.Untyped): boolean =>
  name.endsWith("_info") && MetricState.isGaugeState(state) && state.value === 0

const compare = (a: string, b: string): number => a < b ? -1 : a > b ? 1 : 0

const byKey = (a: { readonly key: string }, b: { readonly key: string }): number => compare(a.key, b.key)

/**
 * Renders metric pairs as Prometheus text: one family per name (sorted), with its HELP and TYPE lines, then its
 * series sorted by labels. A name registered with two kinds keeps the first, so the exposition stays valid.
 */
export const render = (pairs: ReadonlyArray<MetricPair.MetricPair.Untyped>): string => {
  const families = new Map<string, {
    readonly family: Family
    readonly help: string | undefined
    readonly series: Array<{ readonly key: string; readonly lines: ReadonlyArray<string> }>
  }>()
  for (const pair of pairs) {
    const name = metricName(pair.metricKey.name)
    const labels = pair.metricKey.tags.map((tag) => [tag.key, tag.value] as const).sort(([a], [b]) => compare(a, b))
    const rendered = exposition(name, labels, pair.metricState)
    if (rendered === undefined || stale(name, pair.metricState)) continue
    const help = Option.getOrUndefined(pair.metricKey.description)
    const entry = families.get(name) ?? { family: rendered.family, help, series: [] }
    if (entry.family !== rendered.family) continue
    entry.series.push({ key: JSON.stringify(labels), lines: rendered.lines })
    families.set(name, entry)
  }
  const lines: Array<string> = []
  for (const name of [...families.keys()].sort()) {
    const { family, help, series } = families.get(name)!
    if (help !== undefined) lines.push(`# HELP ${name} ${escapeHelp(help)}`)
    lines.push(`# TYPE ${name} ${family}`)
    for (const { lines: rendered } of series.sort(byKey)) lines.push(...rendered)
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`
}

/** Effect's runtime metrics share the registry but are no part of what orgsync exposes. */
const isEffectInternal = (pair: MetricPair.MetricPair.Untyped): boolean => pair.metricKey.name.startsWith("effect_")

/** The metrics of the default registry, as Prometheus text. */
export const prometheus: Effect.Effect<string> = Effect.map(
  Metric.snapshot,
  (pairs) => render(pairs.filter((pair) => !isEffectInternal(pair)))
)
