import { percentile, type RunFigures } from './figures';

// figures.ts's timeJobs, with one addition: `extra()` starts the next job at once beside the lanes, so that the dev
// server's restart can send launches while the server is down (their POSTs meet 503s and are sent again).
export class LaunchLanes {
  private next = 0;
  private readonly latencies: number[] = [];
  private readonly extras: Promise<void>[] = [];

  constructor(
    private readonly count: number,
    private readonly job: (index: number) => Promise<void>,
  ) {}

  /** Jobs started so far. */
  get started(): number {
    return this.next;
  }

  /** Starts the next job now, beside the lanes; none when every job has started. */
  extra(): void {
    if (this.next < this.count) this.extras.push(this.one());
  }

  async run(concurrency: number): Promise<RunFigures> {
    const started = performance.now();
    const lane = async () => {
      while (this.next < this.count) await this.one();
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, this.count) }, lane));
    await Promise.all(this.extras);
    const wallMs = performance.now() - started;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      count: this.count,
      wallMs,
      perSecond: (this.count / wallMs) * 1000,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
    };
  }

  private async one(): Promise<void> {
    const index = this.next++;
    const t0 = performance.now();
    await this.job(index);
    this.latencies.push(performance.now() - t0);
  }
}
