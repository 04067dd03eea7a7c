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
export async function timeJobs(count: number, concurrency: number, job: (index: number) => Promise<unknown>): Promise<RunFigures> {
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
  return { count, wallMs, perSecond: (count / wallMs) * 1000, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) };
}

export const row = (name: string, f: RunFigures): string =>
  `${name.padEnd(22)} ${String(f.count).padStart(6)} ${f.perSecond.toFixed(2).padStart(10)} ${f.p50Ms.toFixed(0).padStart(8)} ${f.p99Ms.toFixed(0).padStart(8)}`;
export const HEADER = `${'run'.padEnd(22)} ${'count'.padStart(6)} ${'per s'.padStart(10)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`;
