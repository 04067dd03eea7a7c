import { writeFileSync } from 'node:fs';
import type { BillingCode } from '../domain/billing-codes';
import type { SimProvider } from '../providers/sim/sim-provider';
import { CAPPED_CODE } from './chaos-launches';

// The chaos benchmark's quota check: the API replicas read a BILLING_CODES_FILE in which one code has a hard quota,
// and while the launches run the bench counts, about every second, the servers charged to that code in the cloud
// (not terminated, tagged with the code, one per launch): the most it ever sees must not pass the hard quota.

/** Writes the run's billing codes: `chaos` without a quota, and CAPPED_CODE with `hard` servers at most. */
export function writeBillingCodes(file: string, hard: number): void {
  const codes: BillingCode[] = [
    { code: 'chaos', name: 'Chaos runs', active: true, groups: ['chaos'], quota: {} },
    { code: CAPPED_CODE, name: 'Chaos runs, capped', active: true, groups: ['chaos'], quota: { hard } },
  ];
  writeFileSync(file, JSON.stringify(codes, null, 2));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ChargedSampler {
  max = 0;
  samples = 0;
  /** Samples whose reading failed (the sim database busy): they are tried again at the next tick. */
  failed = 0;
  private stopping = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly sim: SimProvider,
    private readonly everyMs = 1_000,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  /** Takes one last sample and stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    await this.sample();
  }

  /** Servers charged to CAPPED_CODE now: distinct `workflow-id` tags of its servers that are not terminated. */
  async charged(): Promise<number> {
    const launches = new Set<string>();
    for (const region of await this.sim.listRegions())
      for (const server of await this.sim.listServers(region, { tag: { key: 'billing-code', value: CAPPED_CODE } }))
        if (server.state !== 'terminated') launches.add(server.tags['workflow-id'] ?? server.id);
    return launches.size;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      await this.sample();
      await sleep(this.everyMs);
    }
  }

  private async sample(): Promise<void> {
    try {
      this.max = Math.max(this.max, await this.charged());
      this.samples += 1;
    } catch {
      this.failed += 1;
    }
  }
}
