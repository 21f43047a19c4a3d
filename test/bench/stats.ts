/** Order statistics of timing samples (nearest-rank percentiles, no interpolation). */

export interface Summary {
  /** Number of samples. */
  n: number;
  median: number;
  p99: number;
  min: number;
  max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function summarise(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** Milliseconds elapsed since `start` (a `process.hrtime.bigint()` reading), with sub-microsecond resolution. */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Lets the collector run between cases when node was started with --expose-gc, so one case's garbage does not bill the next. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
