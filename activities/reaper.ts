import { Context } from '@temporalio/activity';
import { MANAGED_BY } from '../domain/launch';
import {
  DEFAULT_REAPER_GRACE_SECONDS,
  REAP_ITEMS_PER_REGION,
  REAP_KINDS,
  reapReport,
  type ReapItem,
  type ReapKind,
} from '../domain/reaper';
import type { Volume } from '../domain/volume';
import { allOwnImages } from '../providers/own-images';
import { secretRefs, type KeyStore } from '../secrets/key-store';
import { deleteUnusedFirewall } from './network';
import { isPermanent, retryTransient } from './provider-failure';
import { terminateAndWait } from './server';
import { removeVolume } from './volumes';
import type { Owner } from './workflow-status';
import type { ActivityDeps } from './deps';

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
 * - a firewall a completed launch made, once no server of that launch is left (one its server's termination kept
 *   because another server was in it).
 * Nothing a live server uses is taken: its firewalls, its key pair, its attached volumes.
 */
export async function planReap(
  { provider, keys, workflows }: ActivityDeps,
  region: string,
  options: ReapPlanOptions,
): Promise<ReapItem[]> {
  // A heartbeat per resource judged (the SDK sends at most a few): a worker that dies mid-plan is noticed in seconds.
  const context = Context.current();
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
  const why = async (tags: Tags): Promise<string | undefined> => {
    context.heartbeat();
    return tags['managed-by'] !== MANAGED_BY
      ? undefined
      : expired(tags)
        ? `it expired at ${tags['expires-at']}`
        : abandoned(tags);
  };

  const items: ReapItem[] = [];
  const add = (kind: ReapKind, id: string, tags: Tags, reason: string) => {
    const by = ownerOf(tags);
    items.push({ kind, region, id, ...(by ? { owner: by } : {}), reason });
  };

  const servers = (await provider.listServers(region)).filter((s) => s.state !== 'terminated');
  const reaped = new Set<string>();
  for (const server of servers) {
    let reason = await why(server.tags);
    const by = ownerOf(server.tags);
    if (!reason && by && server.tags['managed-by'] === MANAGED_BY && server.tags.temporary === 'true') {
      const { state, status } = await owner(by);
      if (state === 'completed' || state === 'ended')
        reason = `a temporary server whose workflow ${by} closed as ${status}`;
    }
    if (!reason) continue;
    reaped.add(server.id);
    add('server', server.id, server.tags, reason);
  }
  const live = servers.filter((s) => !reaped.has(s.id));
  const liveIds = new Set(live.map((s) => s.id));
  const usedFirewalls = new Set(live.flatMap((s) => s.firewallIds));
  const usedKeypairs = new Set(live.flatMap((s) => (s.keypairName ? [s.keypairName] : [])));
  // A firewall a completed launch made serves its server; once no server of that launch is left, it serves nothing
  // (terminating the server keeps it while another server is in it). Key pairs are not judged so: a private key
  // not yet fetched is worth more than the key pair costs.
  const launchesWithServers = new Set(
    live.map((s) => s.tags['workflow-id']).filter((id): id is string => id !== undefined),
  );
  const serverGone = async (tags: Tags): Promise<string | undefined> => {
    const id = tags['workflow-id'];
    if (tags['managed-by'] !== MANAGED_BY || !id?.startsWith('launch-') || launchesWithServers.has(id))
      return undefined;
    const { state, closedAt } = await owner(id);
    if (state !== 'completed' || !closedAt || Date.parse(closedAt) + options.graceSeconds * 1000 > now)
      return undefined;
    return `its launch ${id} completed, and no server of it is left`;
  };

  const volumes = await provider.listVolumes(region, { tag: managed });
  for (const volume of volumes) {
    if (volume.serverId && liveIds.has(volume.serverId)) continue;
    const reason = await why(volume.tags);
    if (reason) add('volume', volume.id, volume.tags, reason);
  }
  for (const keypair of await provider.listKeypairs(region)) {
    if (usedKeypairs.has(keypair.name)) continue;
    const reason = await why(keypair.tags);
    if (reason) add('keypair', keypair.name, keypair.tags, reason);
  }
  for (const firewall of await provider.listFirewalls(region, { tag: managed })) {
    if (usedFirewalls.has(firewall.id)) continue;
    const reason = (await why(firewall.tags)) ?? (await serverGone(firewall.tags));
    if (reason) add('firewall', firewall.id, firewall.tags, reason);
  }
  for (const image of await allOwnImages(provider, region)) {
    if (image.tags['managed-by'] !== MANAGED_BY) continue;
    // An available image is kept even when its capture ended oddly: it is a good image someone may launch from.
    const reason = expired(image.tags)
      ? `it expired at ${image.tags['expires-at']}`
      : image.state !== 'available'
        ? await abandoned(image.tags)
        : undefined;
    if (reason) add('image', image.id, image.tags, `it never became available, and ${reason}`);
  }

  // The rest waits for the next run; the secrets of what goes now go with it.
  const planned = items.slice(0, REAP_ITEMS_PER_REGION);
  return [...planned, ...(await launchSecrets(keys, region, planned, volumes))];
}

/**
 * The key-store entries of launches whose leftovers go: the private key with the key pair it opens, and the LUKS
 * passphrase only when every volume of that launch goes, since a kept encrypted volume needs it.
 */
async function launchSecrets(
  keys: KeyStore,
  region: string,
  planned: ReapItem[],
  volumes: Volume[],
): Promise<ReapItem[]> {
  const plannedIds = new Set(planned.map((i) => `${i.kind} ${i.id}`));
  const keptVolumesOf = new Set(
    volumes.filter((v) => !plannedIds.has(`volume ${v.id}`)).map((v) => v.tags['workflow-id']),
  );
  const secrets: ReapItem[] = [];
  const seen = new Set<string>();
  for (const item of planned) {
    if (!item.owner?.startsWith('launch-')) continue;
    const ref =
      item.kind === 'keypair'
        ? secretRefs.privateKey(item.owner)
        : item.kind === 'volume' && !keptVolumesOf.has(item.owner)
          ? secretRefs.luksPassphrase(item.owner)
          : undefined;
    if (!ref || seen.has(ref)) continue;
    seen.add(ref);
    if ((await keys.status(ref)) !== 'absent')
      secrets.push({ kind: 'secret', region, id: ref, owner: item.owner, reason: item.reason });
  }
  return secrets;
}

/** What a removal pass could not remove, and why. */
export interface ReapFailure {
  kind: ReapKind;
  id: string;
  error: string;
}

/** Attempts of a removal pass that go round again for what failed transiently; after them, what is left is reported. */
const REAP_ATTEMPTS = 3;

/**
 * Removes what the plan lists, in the order a cloud allows: servers (waiting until they are gone), then the volumes
 * they held, key pairs, firewalls they were in, half-made images, and last the secrets. Every item is tried, whatever
 * failed before it: a transient failure sends the activity round again (each removal is idempotent), a few times at
 * most; what still fails (a firewall something outside this service holds) is answered, and the next run tries again.
 */
export async function reapItems(
  { provider, keys }: ActivityDeps,
  region: string,
  items: ReapItem[],
): Promise<ReapFailure[]> {
  const context = Context.current();
  const reaped = context.metricMeter.createCounter(
    'machine_images_reaped_total',
    undefined,
    'Resources the reaper removed, by kind',
  );
  const remove: Record<ReapKind, (id: string) => Promise<unknown>> = {
    server: (id) => terminateAndWait({ provider }, region, id),
    volume: (id) => removeVolume(provider, region, id),
    keypair: (name) => provider.deleteKeypair(region, name),
    firewall: (id) => deleteUnusedFirewall(provider, region, id),
    image: (id) => provider.deregisterImage(region, id),
    secret: (ref) => keys.delete(ref),
  };
  const failures: (ReapFailure & { transient: boolean })[] = [];
  for (const kind of REAP_KINDS) {
    for (const item of items.filter((i) => i.kind === kind)) {
      try {
        await retryTransient(() => remove[kind](item.id));
        reaped.add(1, { kind });
      } catch (err) {
        const transient = !isPermanent(err);
        failures.push({ kind, id: item.id, error: err instanceof Error ? err.message : String(err), transient });
      }
      context.heartbeat();
    }
  }
  if (failures.some((f) => f.transient) && context.info.attempt < REAP_ATTEMPTS) {
    throw new Error(
      `${failures.length} of ${items.length} could not be removed yet: ${failures.map((f) => `${f.kind} ${f.id}: ${f.error}`).join('; ')}`,
    );
  }
  return failures.map(({ kind, id, error }) => ({ kind, id, error }));
}

/** What reaper runs scheduled before plans existed call (they replay that way): plan and remove in one. */
export async function reapRegion(deps: ActivityDeps, region: string, nowIso: string) {
  const items = await planReap(deps, region, { nowIso, graceSeconds: DEFAULT_REAPER_GRACE_SECONDS });
  await reapItems(deps, region, items);
  const { servers, volumes, keypairs, firewalls, images } = reapReport(items, false, []);
  return { servers, volumes, keypairs, firewalls, images };
}
