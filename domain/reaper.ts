// The reaper: what this service made and nothing looks after any more, found again in the cloud by its tags.

export const REAPER_SCHEDULE_ID = 'reap-orphans';

/** How long after its owning workflow closed a leftover waits before it is reaped (a cloud's listings lag). */
export const DEFAULT_REAPER_GRACE_SECONDS = 600;

/** At most this many resources per region in one run: the plan travels through workflow history. The next run takes the rest. */
export const REAP_ITEMS_PER_REGION = 500;

export const REAP_KINDS = ['server', 'volume', 'keypair', 'firewall', 'image', 'secret'] as const;
export type ReapKind = (typeof REAP_KINDS)[number];

/** One resource the reaper removes (or, in a dry run, would), and why. `id` is a key pair's name, a secret's reference. */
export interface ReapItem {
  kind: ReapKind;
  region: string;
  id: string;
  /** The workflow that made it. */
  owner?: string;
  reason: string;
}

export interface ReapInput {
  regions: string[];
  /** Seconds after its owner closed before a leftover is taken; DEFAULT_REAPER_GRACE_SECONDS when absent. */
  graceSeconds?: number;
  /** List what would be removed, remove nothing. */
  dryRun?: boolean;
}

/** Counts by kind, and the resources themselves. */
export interface ReapReport {
  dryRun: boolean;
  servers: number;
  volumes: number;
  keypairs: number;
  firewalls: number;
  images: number;
  secrets: number;
  items: ReapItem[];
}

export const REPORT_FIELD: Record<ReapKind, Exclude<keyof ReapReport, 'dryRun' | 'items'>> = {
  server: 'servers',
  volume: 'volumes',
  keypair: 'keypairs',
  firewall: 'firewalls',
  image: 'images',
  secret: 'secrets',
};

/** A report of these items. */
export function reapReport(items: ReapItem[], dryRun: boolean): ReapReport {
  const report: ReapReport = { dryRun, servers: 0, volumes: 0, keypairs: 0, firewalls: 0, images: 0, secrets: 0, items };
  for (const item of items) report[REPORT_FIELD[item.kind]] += 1;
  return report;
}
