import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  DEFAULT_REAPER_GRACE_SECONDS,
  REPORT_FIELD,
  reapReport,
  type ReapInput,
  type ReapItem,
  type ReapReport,
} from '../domain/reaper';
import { planActivity, undoActivity } from './activity-options';
import { showDetails } from './details';

const plan = proxyActivities<Activities>(planActivity);
const act = proxyActivities<Activities>(undoActivity);
// Runs scheduled before the reaper planned first replay their one activity per region.
const PLAN_PATCH = 'reaper-plans';
const REAP_BATCH = 10;
const LEGACY_COUNTS = ['servers', 'volumes', 'keypairs', 'firewalls', 'images'] as const;

/**
 * Removes what this service made and nothing looks after any more, region by region: first a plan of what and
 * why (all a dry run does), then the removals. The plan is the report, kept in the workflow's history.
 */
export async function reapOrphans(input: ReapInput): Promise<ReapReport> {
  const now = new Date().toISOString();
  if (!patched(PLAN_PATCH)) {
    const total = reapReport([], false);
    for (const region of input.regions) {
      const found = await act.reapRegion(region, now);
      for (const key of LEGACY_COUNTS) total[key] += found[key];
    }
    return total;
  }
  const dryRun = input.dryRun ?? false;
  const items: ReapItem[] = [];
  const failed: ReapReport['failed'] = [];
  for (const region of input.regions) {
    showDetails(`looking for leftovers in ${region}`);
    const found = await plan.planReap(region, {
      nowIso: now,
      graceSeconds: input.graceSeconds ?? DEFAULT_REAPER_GRACE_SECONDS,
    });
    items.push(...found);
    if (dryRun || found.length === 0) continue;
    // In small batches, in the plan's order (servers first): each batch done is progress a worker's death cannot undo.
    for (let start = 0; start < found.length; start += REAP_BATCH) {
      showDetails(`removing leftovers in ${region}: ${start} of ${found.length} done`);
      failed.push(
        ...(await act.reapItems(region, found.slice(start, start + REAP_BATCH))).map((f) => ({ ...f, region })),
      );
    }
  }
  const report = reapReport(items, dryRun, failed);
  const counts = Object.values(REPORT_FIELD)
    .map((k) => `${report[k]} ${k}`)
    .join(', ');
  showDetails(
    `${dryRun ? 'would reap' : 'reaped'} ${counts}${failed.length ? `; ${failed.length} could not be removed` : ''}`,
  );
  return report;
}
