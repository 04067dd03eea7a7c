import { patched, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { DEFAULT_REAPER_GRACE_SECONDS, reapReport, type ReapInput, type ReapItem, type ReapReport } from '../domain/reaper';
import { planActivity, undoActivity } from './activity-options';

const plan = proxyActivities<Activities>(planActivity);
const act = proxyActivities<Activities>(undoActivity);
// Runs scheduled before the reaper planned first replay their one activity per region.
const PLAN_PATCH = 'reaper-plans';

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
      for (const key of ['servers', 'volumes', 'keypairs', 'firewalls', 'images'] as const) total[key] += found[key];
    }
    return total;
  }
  const dryRun = input.dryRun ?? false;
  const items: ReapItem[] = [];
  for (const region of input.regions) {
    setCurrentDetails(`looking for leftovers in ${region}`);
    const found = await plan.planReap(region, { nowIso: now, graceSeconds: input.graceSeconds ?? DEFAULT_REAPER_GRACE_SECONDS });
    items.push(...found);
    if (dryRun || found.length === 0) continue;
    setCurrentDetails(`removing ${found.length} leftovers in ${region}`);
    await act.reapItems(region, found);
  }
  const report = reapReport(items, dryRun);
  const counts = (['servers', 'volumes', 'keypairs', 'firewalls', 'images', 'secrets'] as const).map((k) => `${report[k]} ${k}`).join(', ');
  setCurrentDetails(`${dryRun ? 'would reap' : 'reaped'} ${counts}`);
  return report;
}
