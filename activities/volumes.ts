import { launchTags } from '../domain/launch';
import type { LaunchRequest } from '../domain/launch-request';
import type { Volume } from '../domain/volume';
import type { CloudProvider } from '../providers/cloud-provider';
import { hasCloudCode } from '../domain/cloud-errors';
import { secretRefs } from '../secrets/key-store';
import { pollUntil } from './poll';
import { forEachThenRetry } from './provider-failure';
import type { ActivityDeps, CloudDeps } from './deps';

export interface DiskInput {
  workflowId: string;
  request: Pick<LaunchRequest, 'region' | 'group' | 'billingCode' | 'name'>;
  zone: string;
  index: number;
  sizeGb: number;
  type?: string;
  encrypted: boolean;
}

/** One disk of the launch, with a client token of its own, so each retry finds the disk it made. */
export async function createDisk({ provider }: CloudDeps, input: DiskInput): Promise<string> {
  const token = `${input.workflowId}/disk-${input.index}`;
  const volume = await provider.createVolume(input.request.region, {
    sizeGb: input.sizeGb,
    ...(input.type ? { type: input.type } : {}),
    zone: input.zone,
    encrypted: input.encrypted,
    clientToken: token,
    tags: {
      ...launchTags(input.workflowId, input.request),
      Name: `${input.request.name}-disk-${input.index}`,
      'client-token': token,
      disk: String(input.index),
    },
  });
  await pollUntil(
    () => provider.getVolume(input.request.region, volume.id),
    (v) => v.state !== 'creating',
  );
  return volume.id;
}

/** `/dev/sdf`, `/dev/sdg`, …: the device names every cloud accepts for data volumes. */
export const deviceFor = (index: number): string => `/dev/sd${String.fromCharCode('f'.charCodeAt(0) + index)}`;

/** Attaches a disk and waits until the server sees it. */
export async function attachDisk(
  { provider }: CloudDeps,
  region: string,
  volumeId: string,
  serverId: string,
  index: number,
): Promise<void> {
  const current = await provider.getVolume(region, volumeId);
  if (current.serverId !== serverId) await provider.attachVolume(region, volumeId, serverId, deviceFor(index));
  await pollUntil(
    () => provider.getVolume(region, volumeId),
    (v) => v.state === 'in-use',
  );
}

/** Detaches (if still attached) and deletes one volume, waiting as long as the cloud needs between the two. */
export async function removeVolume(provider: CloudProvider, region: string, volumeId: string): Promise<void> {
  const volume = await provider.getVolume(region, volumeId).catch((err: unknown) => {
    if (hasCloudCode(err, 'NotFound')) return undefined;
    throw err;
  });
  if (!volume) return;
  if (volume.serverId && (volume.state === 'in-use' || volume.state === 'attaching'))
    await provider.detachVolume(region, volumeId);
  await pollUntil(
    () => provider.getVolume(region, volumeId),
    (v: Volume) => !['attaching', 'in-use', 'detaching', 'creating'].includes(v.state),
  );
  await provider.deleteVolume(region, volumeId);
}

/** The data volumes a launch made (tagged with its workflow id and a disk number), found again by their tags. */
export async function launchDisks(provider: CloudProvider, region: string, workflowId: string): Promise<string[]> {
  const tagged = await provider.listVolumes(region, { tag: { key: 'workflow-id', value: workflowId } });
  return tagged.filter((v) => v.tags.disk !== undefined).map((v) => v.id);
}

/**
 * Removes every data volume this launch made, and the LUKS passphrase that opened them. Run after the server is
 * terminated: a mounted filesystem can keep a detach from finishing while the server runs.
 */
export async function releaseVolumes(
  { provider, keys }: ActivityDeps,
  workflowId: string,
  region: string,
): Promise<string[]> {
  const ids = await launchDisks(provider, region, workflowId);
  await forEachThenRetry(ids, (id) => removeVolume(provider, region, id));
  await keys.delete(secretRefs.luksPassphrase(workflowId));
  return ids;
}

/** For terminating a server: the data volumes its launch made, found by the launch's workflow id on the server. */
export async function serverLaunchDisks(
  { provider }: CloudDeps,
  region: string,
  serverId: string,
): Promise<{ workflowId?: string; volumeIds: string[] }> {
  const server = await provider.getServer(region, serverId);
  const workflowId = server.tags['workflow-id'];
  if (!workflowId) return { volumeIds: [] };
  return { workflowId, volumeIds: await launchDisks(provider, region, workflowId) };
}

/** Detaches and deletes the given volumes (after their server is gone), and the launch's LUKS passphrase. */
export async function deleteLaunchDisks(
  { provider, keys }: ActivityDeps,
  region: string,
  workflowId: string | undefined,
  volumeIds: string[],
): Promise<void> {
  await forEachThenRetry(volumeIds, (id) => removeVolume(provider, region, id));
  if (workflowId) await keys.delete(secretRefs.luksPassphrase(workflowId));
}
