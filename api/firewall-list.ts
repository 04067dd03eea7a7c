import type { Principal } from '../domain/access';
import type { Firewall } from '../domain/network';
import type { CloudProvider } from '../providers/cloud-provider';
import { canUseShared } from './auth/scope';
import { ApiError } from './errors';

export type ListedFirewall = Firewall & { region: string };

/** By region, then name, then id: a total order, so a cursor into it is a place (keyset), not an offset. */
const byPlace = (a: Place, b: Place) =>
  a.region.localeCompare(b.region) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

type Place = Pick<ListedFirewall, 'region' | 'name' | 'id'>;

function readCursor(cursor: string): Place {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Place>;
    if (typeof key.region === 'string' && typeof key.name === 'string' && typeof key.id === 'string')
      return { region: key.region, name: key.name, id: key.id };
  } catch {
    // below
  }
  throw new ApiError(
    400,
    'invalid_request',
    'querystring.cursor: not a cursor this API returned; start again without it',
  );
}

/** The firewalls the principal may use (its groups’ and the untagged), across regions unless one is named, paged. */
export async function listFirewalls(
  provider: CloudProvider,
  principal: Principal,
  filter: { region?: string; limit: number; cursor?: string },
): Promise<{ items: ListedFirewall[]; nextCursor?: string }> {
  const after = filter.cursor ? readCursor(filter.cursor) : undefined;
  const regions = filter.region ? [filter.region] : await provider.listRegions();
  const perRegion = await Promise.all(
    regions.map(async (region) =>
      (await provider.listFirewalls(region)).map((firewall): ListedFirewall => ({ ...firewall, region })),
    ),
  );
  const matching = perRegion
    .flat()
    .filter((f) => canUseShared(principal, f.tags.group))
    .sort(byPlace)
    .filter((f) => !after || byPlace(f, after) > 0);
  const items = matching.slice(0, filter.limit);
  const last = items.at(-1);
  return matching.length > filter.limit && last
    ? {
        items,
        nextCursor: Buffer.from(JSON.stringify({ region: last.region, name: last.name, id: last.id })).toString(
          'base64url',
        ),
      }
    : { items };
}
