import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createdFirewallName, createdKeypairName, launchTags } from '../domain/launch';
import type { FirewallChoice, KeypairChoice, LaunchRequest } from '../domain/launch-request';
import type { CloudProvider } from '../providers/cloud-provider';
import { hasCloudCode, isProviderError } from '../domain/cloud-errors';
import { secretRefs } from '../secrets/key-store';
import { forEachThenRetry } from './provider-failure';
import type { ActivityDeps, CloudDeps } from './deps';

export interface LaunchKeypair {
  name: string;
  created: boolean;
}

/**
 * The named key pair, or one made for this launch. A created key's private half goes to the key store at once;
 * if an earlier attempt made the key pair but died before storing it, that key pair is useless (the cloud hands a
 * private key out only once), so it is deleted and made again.
 */
export async function ensureKeypair(
  { provider, keys }: ActivityDeps,
  workflowId: string,
  request: Pick<LaunchRequest, 'region' | 'group' | 'billingCode'>,
  choice: KeypairChoice,
): Promise<LaunchKeypair> {
  if ('name' in choice) return { name: choice.name, created: false };
  const name = choice.create.name ?? createdKeypairName(workflowId);
  const ref = secretRefs.privateKey(workflowId);
  const existing = (await provider.listKeypairs(request.region)).find((k) => k.name === name);
  // Only a key pair this launch made (its tag says so) may be reused or replaced; anyone else's is left alone.
  if (existing && existing.tags['workflow-id'] !== workflowId) {
    throw ApplicationFailure.nonRetryable(
      `key pair "${name}" already exists in ${request.region}; choose another name or use it by name`,
      'Conflict',
    );
  }
  if (existing && (await keys.get(ref))) return { name, created: true };
  if (existing) await provider.deleteKeypair(request.region, name);
  const created = await provider.createKeypair(request.region, name, launchTags(workflowId, request));
  await keys.put(ref, created.privateKeyPem);
  return { name, created: true };
}

/** Deletes the key pair this launch made: only when its tag says so, since the name may be someone else's. */
export async function releaseKeypair(
  { provider, keys }: ActivityDeps,
  workflowId: string,
  region: string,
  name: string,
): Promise<void> {
  const existing = (await provider.listKeypairs(region)).find((k) => k.name === name);
  if (existing?.tags['workflow-id'] === workflowId) await provider.deleteKeypair(region, name);
  await keys.delete(secretRefs.privateKey(workflowId));
}

export interface LaunchFirewalls {
  ids: string[];
  createdId?: string;
}

/** The given firewalls, or one made for this launch with the rules; a retry finds the one it made by its tag. */
export async function ensureFirewall(
  { provider }: CloudDeps,
  workflowId: string,
  request: Pick<LaunchRequest, 'region' | 'group' | 'billingCode' | 'name'>,
  choice: FirewallChoice,
): Promise<LaunchFirewalls> {
  if ('ids' in choice) return { ids: choice.ids };
  const name = choice.create.name ?? createdFirewallName(workflowId);
  // A firewall an earlier attempt made (found by tag, or by name when the cloud's listing lags) gets its rules
  // applied again: a worker may have died between creating it and authorizing them. authorize skips rules it has.
  const reuse = async (id: string): Promise<LaunchFirewalls> => {
    if (choice.create.rules.length) await provider.authorize(request.region, id, choice.create.rules);
    return { ids: [id], createdId: id };
  };
  const mine = await provider.listFirewalls(request.region, { tag: { key: 'workflow-id', value: workflowId } });
  if (mine[0]) return reuse(mine[0].id);
  try {
    const firewall = await provider.createFirewall(request.region, {
      name,
      description: `for server ${request.name}, made by launch ${workflowId}`,
      rules: choice.create.rules,
      tags: launchTags(workflowId, request),
    });
    return { ids: [firewall.id], createdId: firewall.id };
  } catch (err) {
    if (hasCloudCode(err, 'Conflict')) {
      const named = (await provider.listFirewalls(request.region)).find((f) => f.name === name);
      if (named?.tags['workflow-id'] === workflowId) return reuse(named.id);
      throw ApplicationFailure.nonRetryable(
        `a firewall named "${name}" already exists in ${request.region}; choose another name or use it by id`,
        'Conflict',
      );
    }
    throw err;
  }
}

/** Deletes what this launch made, found again by its tag. A firewall still in use by a terminating server is retried. */
export async function releaseFirewall({ provider }: CloudDeps, workflowId: string, region: string): Promise<void> {
  const mine = await provider.listFirewalls(region, { tag: { key: 'workflow-id', value: workflowId } });
  await forEachThenRetry(mine, (firewall) => deleteUnusedFirewall(provider, region, firewall.id));
}

export interface ReleasedAccess {
  deletedKeypairs: string[];
  /** A key pair the launch made that another live server was launched with stays, with its private key. */
  keptKeypairs: { name: string; usedBy: string[] }[];
  deletedFirewallIds: string[];
  /** Firewalls the launch made that another server is in (or the cloud still holds): they stay, and the reaper takes them once free. */
  keptFirewalls: { id: string; usedBy: string[]; reason?: string }[];
}

/** Attempts after which a firewall the cloud still calls in use is kept and named instead of failing the termination. */
const FIREWALL_ATTEMPTS = 5;

/**
 * For terminating a server: the key pair and firewall its launch made for it go, with the private key in the key
 * store. One another live server uses stays, named. What the launch only chose carries no tag of its, so it is
 * never touched. Run after the server is terminated: a cloud refuses to delete a firewall a server is in.
 */
export async function releaseLaunchAccess(
  { provider, keys }: ActivityDeps,
  region: string,
  workflowId: string,
  serverId: string,
): Promise<ReleasedAccess> {
  const released: ReleasedAccess = { deletedKeypairs: [], keptKeypairs: [], deletedFirewallIds: [], keptFirewalls: [] };
  const keypairs = (await provider.listKeypairs(region)).filter((k) => k.tags['workflow-id'] === workflowId);
  const firewalls = await provider.listFirewalls(region, { tag: { key: 'workflow-id', value: workflowId } });
  const others =
    keypairs.length + firewalls.length > 0
      ? (await provider.listServers(region)).filter((s) => s.id !== serverId && s.state !== 'terminated')
      : [];

  for (const keypair of keypairs) {
    const usedBy = others.filter((s) => s.keypairName === keypair.name).map((s) => s.id);
    if (usedBy.length > 0) released.keptKeypairs.push({ name: keypair.name, usedBy });
    else released.deletedKeypairs.push(keypair.name);
  }
  await forEachThenRetry(released.deletedKeypairs, (name) => provider.deleteKeypair(region, name));
  if (released.keptKeypairs.length === 0) await keys.delete(secretRefs.privateKey(workflowId));

  const unused: string[] = [];
  for (const firewall of firewalls) {
    const usedBy = others.filter((s) => s.firewallIds.includes(firewall.id)).map((s) => s.id);
    if (usedBy.length > 0) released.keptFirewalls.push({ id: firewall.id, usedBy });
    else unused.push(firewall.id);
  }
  const lastAttempt = Context.current().info.attempt >= FIREWALL_ATTEMPTS;
  await forEachThenRetry(unused, async (id) => {
    try {
      await deleteUnusedFirewall(provider, region, id);
      released.deletedFirewallIds.push(id);
    } catch (err) {
      // Held by something this service does not see (a network interface, another group's rule): named, not fatal.
      if (!lastAttempt) throw err;
      released.keptFirewalls.push({ id, usedBy: [], reason: (err as Error).message });
    }
  });
  return released;
}

/** Deletes a firewall; one still held by a server that is shutting down is a retryable failure, tried again later. */
export async function deleteUnusedFirewall(provider: CloudProvider, region: string, firewallId: string): Promise<void> {
  try {
    await provider.deleteFirewall(region, firewallId);
  } catch (err) {
    if (isProviderError(err) && err.code === 'Conflict')
      throw new Error(`firewall ${firewallId} is still in use: ${err.message}`, { cause: err });
    throw err;
  }
}
