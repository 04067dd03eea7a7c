import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ReapReport } from '../domain/families';
import { undoActivity } from './activity-options';

const act = proxyActivities<Activities>(undoActivity);

/** Deletes this service's temporary resources whose expiry has passed, region by region, and counts them. */
export async function reapOrphans(input: { regions: string[] }): Promise<ReapReport> {
  const total: ReapReport = { servers: 0, volumes: 0, keypairs: 0, firewalls: 0, images: 0 };
  const now = new Date().toISOString();
  for (const region of input.regions) {
    setCurrentDetails(`reaping expired resources in ${region}`);
    const found = await act.reapRegion(region, now);
    for (const key of Object.keys(total) as (keyof ReapReport)[]) total[key] += found[key];
  }
  setCurrentDetails(`reaped ${Object.entries(total).map(([k, v]) => `${v} ${k}`).join(', ')}`);
  return total;
}
