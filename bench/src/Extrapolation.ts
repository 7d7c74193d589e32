/**
 * Estimating a whole baseline walk from a sample of it, where the whole walk would take hours. The baseline's
 * cost per org depends on how common the org's name is and on whether the org needs a write, so the sample is
 * drawn per stratum (e.g. the orgs a change set touches, and the others) and each stratum's mean is scaled by
 * its size. When every stratum is drawn whole, the figures are the measured ones.
 */
import type { PCGRandom } from "effect/Utils"
import type { OrgRecord } from "./Baseline.js"
import type { BaselineRun } from "./Contenders.js"
import type { RequestStats } from "./RequestStats.js"

/** A group of orgs of similar cost (by desired path) and how many of them to run. */
export interface Stratum {
  readonly paths: ReadonlyArray<string>
  readonly size: number
}

export interface Sample {
  readonly strata: ReadonlyArray<{ readonly population: number; readonly drawn: ReadonlyArray<string> }>
  /** Every org is drawn: the baseline walks the whole tree. */
  readonly complete: boolean
}

/** `size` distinct items of `items`, drawn uniformly; all of them, in order, when there are no more. */
export const draw = <A>(random: PCGRandom, items: ReadonlyArray<A>, size: number): ReadonlyArray<A> => {
  if (size >= items.length) return items
  const pool = [...items]
  // A partial Fisher-Yates shuffle: the first `size` places are the sample.
  for (let i = 0; i < size; i++) {
    const j = i + random.integer(pool.length - i)
    ;[pool[i], pool[j]] = [pool[j]!, pool[i]!]
  }
  return pool.slice(0, size)
}

export const sample = (random: PCGRandom, strata: ReadonlyArray<Stratum>): Sample => {
  const drawn = strata.map((stratum) => ({
    population: stratum.paths.length,
    drawn: draw(random, stratum.paths, stratum.size)
  }))
  return { strata: drawn, complete: drawn.every((stratum) => stratum.drawn.length === stratum.population) }
}

/** The paths the baseline is to handle; `undefined`: the whole walk. */
export const only = (sample: Sample): ReadonlyArray<string> | undefined =>
  sample.complete ? undefined : sample.strata.flatMap((stratum) => stratum.drawn)

export interface Totals {
  readonly millis: number
  readonly calls: number
  readonly writes: number
  readonly throttled: number
  readonly failed: number
}

const mean = (records: ReadonlyArray<OrgRecord>, value: (record: OrgRecord) => number) =>
  records.length === 0 ? 0 : records.reduce((sum, record) => sum + value(record), 0) / records.length

/** The totals of the whole population: each stratum's mean times its size. */
export const estimate = (
  strata: ReadonlyArray<{ readonly population: number; readonly records: ReadonlyArray<OrgRecord> }>
): Totals => {
  const total = (value: (record: OrgRecord) => number) =>
    strata.reduce((sum, stratum) => sum + stratum.population * mean(stratum.records, value), 0)
  return {
    millis: total((record) => record.millis),
    calls: total((record) => record.calls),
    writes: total((record) => record.writes),
    throttled: total((record) => record.throttled),
    failed: total((record) => (record.failed ? 1 : 0))
  }
}

/** The baseline's figures for the whole tree: measured when it walked all of it, else estimated. */
export interface BaselineFigures {
  readonly calls: number
  readonly writes: number
  readonly throttled: number
  /** Orgs it could not bring in line. */
  readonly failed: number
  readonly wallMillis: number
  readonly peakRssBytes: number | undefined
  /** Orgs handled and orgs in the tree, when the figures are extrapolated. */
  readonly sampled: { readonly handled: number; readonly population: number } | undefined
}

export const baselineFigures = (run: BaselineRun, sample: Sample, log: RequestStats): BaselineFigures => {
  const { measured, result } = run
  if (sample.complete) {
    return {
      calls: log.total,
      writes: log.writes,
      throttled: log.throttled,
      failed: result.records.filter((record) => record.failed).length,
      wallMillis: measured.wallMillis,
      peakRssBytes: measured.peakRssBytes,
      sampled: undefined
    }
  }
  const byPath = new Map(result.records.map((record) => [record.path, record]))
  const totals = estimate(sample.strata.map((stratum) => ({
    population: stratum.population,
    records: stratum.drawn.flatMap((path) => byPath.get(path) ?? [])
  })))
  return {
    calls: result.signIns + totals.calls,
    writes: totals.writes,
    throttled: totals.throttled,
    failed: totals.failed,
    // The process's own start-up and shut-down as measured, the walk as estimated.
    wallMillis: measured.wallMillis - result.walkMillis + totals.millis,
    peakRssBytes: measured.peakRssBytes,
    sampled: {
      handled: result.records.length,
      population: sample.strata.reduce((sum, stratum) => sum + stratum.population, 0)
    }
  }
}
