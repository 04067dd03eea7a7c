import { Context } from '@temporalio/activity';
import { MANAGED_BY } from '../domain/launch';
import { REAP_ITEMS_PER_REGION, type ReapItem, type ReapKind } from '../domain/reaper';
import type { Server } from '../domain/server';
import type { CloudProvider } from '../providers/cloud-provider';
import { allOwnImages } from '../providers/own-images';
import { secretRefs, type KeyStore } from '../secrets/key-store';
import { deleteUnusedFirewall } from './network';
import { callProvider, forEachThenRetry } from './provider-failure';
import { terminateAndWait } from './server';
import { removeVolume } from './volumes';
import type { Owner, WorkflowStatus } from './workflow-status';

export interface ReapPlanOptions {
  nowIso: string;
  graceSeconds: number;
}

type Tags = Record<string, string>;
const managed = { key: 'managed-by', value: MANAGED_BY };

/**
 * What in this region nothing looks after any more, and why; it removes nothing. Each managed resource is judged by
 * its tags and the workflow that made it (`workflow-id`; a clone's temporary server belongs to the clone):
 * - its `expires-at` has passed;
 * - its owner closed without completing (failed, cancelled, terminated, timed out) longer than the grace period
 *   ago: a terminated workflow ran no undo, and what a failed one's undo left it will not come back for;
 * - a temporary server whose owner closed at all;
 * - a key pair or firewall a completed launch made, once no server of that launch is left (a firewall its
 *   server's termination kept because another server used it, for example).
 * Nothing a live server uses is taken: its firewalls, its key pair, its attached volumes.
 */
export async function planReap(provider: CloudProvider, keys: KeyStore, workflows: WorkflowStatus | undefined, region: string, options: ReapPlanOptions): Promise<ReapItem[]> {
  const now = Date.parse(options.nowIso);
  const owners = new Map<string, Promise<Owner>>();
  const ownerOf = (tags: Tags) => tags['clone-workflow-id'] ?? tags['workflow-id'];
  const owner = (id: string): Promise<Owner> => {
    if (!workflows) return Promise.resolve({ state: 'unknown' });
    let known = owners.get(id);
    if (!known) owners.set(id, (known = workflows.of(id)));
    return known;
  };
  const expired = (tags: Tags) => tags['expires-at'] !== undefined && Date.parse(tags['expires-at']) < now;
  /** Why the resource's owner no longer looks after it, if it does not. */
  const abandoned = async (tags: Tags): Promise<string | undefined> => {
    const id = ownerOf(tags);
    if (!id) return undefined;
    const { state, status, closedAt } = await owner(id);
    if (state !== 'ended' || !closedAt || Date.parse(closedAt) + options.graceSeconds * 1000 > now) return undefined;
    return `its workflow ${id} closed as ${status} at ${closedAt} and left it`;
  };
  const why = async (tags: Tags): Promise<string | undefined> =>
    tags['managed-by'] !== MANAGED_BY ? undefined : expired(tags) ? `it expired at ${tags['expires-at']}` : abandoned(tags);

  const items: ReapItem[] = [];
  const add = (kind: ReapKind, id: string, tags: Tags, reason: string) => {
    const by = ownerOf(tags);
    items.push({ kind, region, id, ...(by ? { owner: by } : {}), reason });
  };

  const servers = (await callProvider(() => provider.listServers(region))).filter((s) => s.state !== 'terminated');
  const reaped = new Set<string>();
  for (const server of servers) {
    let reason = await why(server.tags);
    const by = ownerOf(server.tags);
    if (!reason && by && server.tags['managed-by'] === MANAGED_BY && server.tags.temporary === 'true') {
      const { state, status } = await owner(by);
      if (state === 'completed' || state === 'ended') reason = `a temporary server whose workflow ${by} closed as ${status}`;
    }
    if (!reason) continue;
    reaped.add(server.id);
    add('server', server.id, server.tags, reason);
  }
  const live = servers.filter((s) => !reaped.has(s.id));
  const liveIds = new Set(live.map((s) => s.id));
  const usedFirewalls = new Set(live.flatMap((s) => s.firewallIds));
  const usedKeypairs = new Set(live.flatMap((s) => (s.keypairName ? [s.keypairName] : [])));
  // A completed launch's key pair and firewall serve its server; with no server of its left, they serve nothing.
  const launchesWithServers = new Set(live.map((s: Server) => s.tags['workflow-id']).filter((id): id is string => id !== undefined));
  const serverGone = async (tags: Tags): Promise<string | undefined> => {
    const id = tags['workflow-id'];
    if (tags['managed-by'] !== MANAGED_BY || !id?.startsWith('launch-') || launchesWithServers.has(id)) return undefined;
    return (await owner(id)).state === 'completed' ? `its launch ${id} completed, and no server of it is left` : undefined;
  };

  for (const volume of await callProvider(() => provider.listVolumes(region, { tag: managed }))) {
    if (volume.serverId && liveIds.has(volume.serverId)) continue;
    const reason = await why(volume.tags);
    if (reason) add('volume', volume.id, volume.tags, reason);
  }
  for (const keypair of await callProvider(() => provider.listKeypairs(region))) {
    if (usedKeypairs.has(keypair.name)) continue;
    const reason = (await why(keypair.tags)) ?? (await serverGone(keypair.tags));
    if (reason) add('keypair', keypair.name, keypair.tags, reason);
  }
  for (const firewall of await callProvider(() => provider.listFirewalls(region, { tag: managed }))) {
    if (usedFirewalls.has(firewall.id)) continue;
    const reason = (await why(firewall.tags)) ?? (await serverGone(firewall.tags));
    if (reason) add('firewall', firewall.id, firewall.tags, reason);
  }
  for (const image of await callProvider(() => allOwnImages(provider, region))) {
    if (image.tags['managed-by'] !== MANAGED_BY) continue;
    // An available image is kept even when its capture ended oddly: it is a good image someone may launch from.
    const reason = expired(image.tags) ? `it expired at ${image.tags['expires-at']}` : image.state !== 'available' ? await abandoned(image.tags) : undefined;
    if (reason) add('image', image.id, image.tags, `it never became available, and ${reason}`);
  }
  // The secrets of the launches whose leftovers go: a private key for a key pair that goes, a LUKS passphrase for volumes that go.
  const launches = new Map<string, string>();
  for (const item of items) if (item.owner?.startsWith('launch-') && (item.kind === 'keypair' || item.kind === 'volume')) launches.set(item.owner, item.reason);
  for (const [launch, reason] of launches) {
    for (const ref of [secretRefs.privateKey(launch), secretRefs.luksPassphrase(launch)]) {
      if ((await keys.status(ref)) !== 'absent') items.push({ kind: 'secret', region, id: ref, owner: launch, reason });
    }
  }
  return items.slice(0, REAP_ITEMS_PER_REGION);
}

/**
 * Removes what the plan lists, in the order a cloud allows: servers (waiting until they are gone), then the volumes
 * they held, key pairs, firewalls they were in, half-made images, and last the secrets. Each removal is idempotent,
 * so a retried attempt goes over the list again; one that fails does not stop the others.
 */
export async function reapItems(provider: CloudProvider, keys: KeyStore, region: string, items: ReapItem[]): Promise<void> {
  const context = Context.current();
  const reaped = context.metricMeter.createCounter('machine_images_reaped_total', undefined, 'Resources the reaper removed, by kind');
  const each = (kind: ReapKind, remove: (id: string) => Promise<unknown>) =>
    forEachThenRetry(
      items.filter((i) => i.kind === kind),
      async (item) => {
        await remove(item.id);
        reaped.add(1, { kind });
        context.heartbeat();
      },
    );
  await each('server', (id) => terminateAndWait(provider, region, id));
  await each('volume', (id) => removeVolume(provider, region, id));
  await each('keypair', (name) => callProvider(() => provider.deleteKeypair(region, name)));
  await each('firewall', (id) => deleteUnusedFirewall(provider, region, id));
  await each('image', (id) => callProvider(() => provider.deregisterImage(region, id)));
  await each('secret', (ref) => keys.delete(ref));
}
