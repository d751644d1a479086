/**
 * The p-th percentile of `values` by the nearest-rank method: the smallest value with at least
 * p % of the values at or below it (sorted ascending, the value at rank ⌈p/100 · n⌉). It is always
 * one of the values, so p50 of 20 runs is the 10th fastest and p95 the 19th; no interpolation.
 * Undefined for no values.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}
