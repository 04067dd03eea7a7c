import type { Principal } from '../domain/access';
import type { Keypair } from '../domain/network';
import type { CloudProvider } from '../providers/cloud-provider';
import { canUseShared } from './auth/scope';
import { readCursor, writeCursor } from './keyset-cursor';

export interface KeypairListFilter {
  /** Unset: every region of the cloud. */
  region?: string;
  limit: number;
  cursor?: string;
}

/** A key pair as the list shows it: where it is, and whose (no group: the account's, shared by every group). */
export type ListedKeypair = Keypair & { region: string; group?: string };

// By code unit, not locale: the order must be the same on every replica for a cursor to mean one place.
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** By region, then name: a name is unique in its region, so the order (and a cursor into it) is total. */
const byPlace = (a: { region: string; name: string }, b: { region: string; name: string }) =>
  compare(a.region, b.region) || compare(a.name, b.name);

/** The key pairs the principal may use (its groups' and the untagged), across regions unless one is named, paged. */
export async function listKeypairs(
  provider: CloudProvider,
  principal: Principal,
  filter: KeypairListFilter,
): Promise<{ items: ListedKeypair[]; nextCursor?: string }> {
  const after = filter.cursor ? readCursor(filter.cursor, ['region', 'name'] as const) : undefined;
  const regions = filter.region ? [filter.region] : await provider.listRegions();
  const perRegion = await Promise.all(
    regions.map(async (region) =>
      (await provider.listKeypairs(region)).map(({ name, fingerprint, tags }): ListedKeypair => ({
        name,
        region,
        fingerprint,
        ...(tags.group ? { group: tags.group } : {}),
        tags,
      })),
    ),
  );
  const matching = perRegion
    .flat()
    .filter((k) => canUseShared(principal, k.tags.group))
    .sort(byPlace)
    .filter((k) => !after || byPlace(k, after) > 0);
  const items = matching.slice(0, filter.limit);
  const last = items.at(-1);
  return matching.length > filter.limit && last
    ? { items, nextCursor: writeCursor({ region: last.region, name: last.name }) }
    : { items };
}
