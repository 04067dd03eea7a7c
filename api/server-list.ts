import { actsFor, type Principal } from '../domain/access';
import type { Server } from '../domain/server';
import type { CloudProvider } from '../providers/cloud-provider';
import { readCursor, writeCursor } from './keyset-cursor';

export interface ServerListFilter {
  /** Unset: every region of the cloud. */
  region?: string;
  state?: Server['state'];
  imageId?: string;
  group?: string;
  billingCode?: string;
  /** Part of the name, any case. */
  name?: string;
  limit: number;
  cursor?: string;
}

/** A server as the list shows it: where it is, and the launch that made it (when this service did). */
export type ListedServer = Server & { region: string; launchId?: string; launchUrl?: string };

/** Newest first; equal times by id, so the order (and a cursor into it) is total. */
const newestFirst = (a: ListedServer, b: ListedServer) =>
  b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);

/**
 * The servers the principal may see, across regions unless one is named, filtered and paged. The cursor is the last
 * item's place in the order (keyset), so a server made or terminated between pages moves no other one.
 */
export async function listServers(
  provider: CloudProvider,
  principal: Principal,
  filter: ServerListFilter,
): Promise<{ items: ListedServer[]; nextCursor?: string }> {
  const after = filter.cursor ? readCursor(filter.cursor, ['createdAt', 'id'] as const) : undefined;
  const regions = filter.region ? [filter.region] : await provider.listRegions();
  const perRegion = await Promise.all(
    regions.map(async (region) =>
      (
        await provider.listServers(region, {
          ...(filter.imageId ? { imageId: filter.imageId } : {}),
          ...(filter.state ? { states: [filter.state] } : {}),
        })
      ).map((server): ListedServer => {
        const launchId = server.tags['workflow-id']?.startsWith('launch-') ? server.tags['workflow-id'] : undefined;
        return { ...server, region, ...(launchId ? { launchId, launchUrl: `/v1/launches/${launchId}` } : {}) };
      }),
    ),
  );
  const name = filter.name?.toLowerCase();
  const matching = perRegion
    .flat()
    .filter((s) => actsFor(principal, s.tags.group))
    .filter((s) => !filter.group || s.tags.group === filter.group)
    .filter((s) => !filter.billingCode || s.tags['billing-code'] === filter.billingCode)
    .filter((s) => !name || s.name.toLowerCase().includes(name))
    .sort(newestFirst)
    .filter((s) => !after || newestFirst(s, { ...s, ...after }) > 0);
  const items = matching.slice(0, filter.limit);
  const last = items.at(-1);
  return matching.length > filter.limit && last
    ? {
        items,
        nextCursor: writeCursor({ createdAt: last.createdAt, id: last.id }),
      }
    : { items };
}
