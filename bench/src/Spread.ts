/** Min, median, 90th percentile and max of a set of measurements. */
export interface Spread {
  readonly count: number
  readonly min: number
  readonly median: number
  readonly p90: number
  readonly max: number
}

/** Linear between the closest ranks, so that the median of an even count is the mean of the middle two. */
const quantile = (sorted: ReadonlyArray<number>, q: number) => {
  const at = (sorted.length - 1) * q
  const below = sorted[Math.floor(at)]!
  return below + (sorted[Math.ceil(at)]! - below) * (at - Math.floor(at))
}

/** Min, median, 90th percentile and max; `undefined` for no values. */
export const spread = (values: ReadonlyArray<number>): Spread | undefined => {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  return {
    count: sorted.length,
    min: sorted[0]!,
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    max: sorted[sorted.length - 1]!
  }
}
