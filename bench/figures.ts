// What every benchmark prints: latencies as percentiles, throughput per second, and ratios against its baseline.

export interface RunFigures {
  count: number;
  wallMs: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Runs `count` jobs, at most `concurrency` at once, timing each from its start to its end. */
export async function timeJobs(
  count: number,
  concurrency: number,
  job: (index: number) => Promise<unknown>,
): Promise<RunFigures> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < count) {
      const index = next++;
      const t0 = performance.now();
      await job(index);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  const wallMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    count,
    wallMs,
    perSecond: (count / wallMs) * 1000,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

export const row = (name: string, f: RunFigures): string =>
  `${name.padEnd(22)} ${String(f.count).padStart(6)} ${f.perSecond.toFixed(2).padStart(10)} ${f.p50Ms.toFixed(0).padStart(8)} ${f.p99Ms.toFixed(0).padStart(8)}`;
export const HEADER = `${'run'.padEnd(22)} ${'count'.padStart(6)} ${'per s'.padStart(10)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`;

/** An HTTP run (bench/api.ts): responses, those that were not 2xx, and requests that got none (errors, timeouts). */
export interface HttpFigures extends RunFigures {
  non2xx: number;
  errors: number;
}

const ms = (value: number) => value.toFixed(2).padStart(8);

/** A ratio to two decimals, or to two significant digits below 0.1, where two decimals would print 0.00. */
export const ratio = (value: number): string => (Math.abs(value) >= 0.1 ? value.toFixed(2) : value.toPrecision(2));

/** A row with sub-millisecond latencies, and the run's throughput and p99 against its baseline's (1.00 for the baseline). */
export const httpRow = (name: string, f: HttpFigures, baseline: RunFigures): string =>
  `${name.padEnd(22)} ${String(f.count).padStart(8)} ${f.perSecond.toFixed(1).padStart(9)} ${ms(f.p50Ms)} ${ms(f.p99Ms)} ${String(f.non2xx + f.errors).padStart(7)} ` +
  `${ratio(f.perSecond / baseline.perSecond).padStart(9)} ${ratio(f.p99Ms / baseline.p99Ms).padStart(9)}`;
export const HTTP_HEADER =
  `${'run'.padEnd(22)} ${'requests'.padStart(8)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'non-2xx'.padStart(7)} ` +
  `${'x req/s'.padStart(9)} ${'x p99'.padStart(9)}`;
