/** Order statistics for the metrics: exact nearest-rank percentiles, so a figure can be checked by hand. */

/**
 * The p-th percentile (0 < p ≤ 1) by nearest rank: the smallest value with at least p of the sample
 * at or below it (the same definition for every percentile, the median included, so a median of
 * an even-sized sample is an observed value, not the mean of the middle two).
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

export function median(values: readonly number[]): number | undefined {
  return percentile(values, 0.5);
}
