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

/** Counts by kind, the resources themselves (the first REPORTED_ITEMS), and what could not be removed. */
export interface ReapReport {
  dryRun: boolean;
  servers: number;
  volumes: number;
  keypairs: number;
  firewalls: number;
  images: number;
  secrets: number;
  items: ReapItem[];
  /** Items past REPORTED_ITEMS, counted above but not listed: the report must fit a Temporal payload. */
  itemsOmitted: number;
  /** What the removals could not remove; the next run tries again. */
  failed: { kind: ReapKind; region: string; id: string; error: string }[];
}

/** At most this many items are listed in a report; the counts cover all. */
export const REPORTED_ITEMS = 1000;

export const REPORT_FIELD: Record<
  ReapKind,
  Exclude<keyof ReapReport, 'dryRun' | 'items' | 'itemsOmitted' | 'failed'>
> = {
  server: 'servers',
  volume: 'volumes',
  keypair: 'keypairs',
  firewall: 'firewalls',
  image: 'images',
  secret: 'secrets',
};

/** A report of these items. */
export function reapReport(items: ReapItem[], dryRun: boolean, failed: ReapReport['failed'] = []): ReapReport {
  const listed = items.slice(0, REPORTED_ITEMS);
  const report: ReapReport = {
    dryRun,
    servers: 0,
    volumes: 0,
    keypairs: 0,
    firewalls: 0,
    images: 0,
    secrets: 0,
    items: listed,
    itemsOmitted: items.length - listed.length,
    failed,
  };
  for (const item of items) report[REPORT_FIELD[item.kind]] += 1;
  return report;
}
