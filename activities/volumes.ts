import { launchTags } from '../domain/launch';
import type { LaunchRequest } from '../domain/launch-request';
import type { Volume } from '../domain/volume';
import type { CloudProvider } from '../providers/cloud-provider';
import { pollUntil } from './poll';
import { callProvider } from './provider-failure';

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
export async function createDisk(provider: CloudProvider, input: DiskInput): Promise<string> {
  const token = `${input.workflowId}/disk-${input.index}`;
  const volume = await callProvider(() =>
    provider.createVolume(input.request.region, {
      sizeGb: input.sizeGb,
      ...(input.type ? { type: input.type } : {}),
      zone: input.zone,
      encrypted: input.encrypted,
      clientToken: token,
      tags: { ...launchTags(input.workflowId, input.request), Name: `${input.request.name}-disk-${input.index}`, 'client-token': token, disk: String(input.index) },
    }),
  );
  await pollUntil(() => callProvider(() => provider.getVolume(input.request.region, volume.id)), (v) => v.state !== 'creating');
  return volume.id;
}

/** `/dev/sdf`, `/dev/sdg`, …: the device names every cloud accepts for data volumes. */
export const deviceFor = (index: number): string => `/dev/sd${String.fromCharCode('f'.charCodeAt(0) + index)}`;

/** Attaches a disk and waits until the server sees it. */
export async function attachDisk(provider: CloudProvider, region: string, volumeId: string, serverId: string, index: number): Promise<void> {
  const current = await callProvider(() => provider.getVolume(region, volumeId));
  if (current.serverId !== serverId) await callProvider(() => provider.attachVolume(region, volumeId, serverId, deviceFor(index)));
  await pollUntil(() => callProvider(() => provider.getVolume(region, volumeId)), (v) => v.state === 'in-use');
}

/** Detaches and deletes every volume this launch made, found again by its tag. */
export async function releaseVolumes(provider: CloudProvider, workflowId: string, region: string): Promise<string[]> {
  const mine = await callProvider(() => provider.listVolumes(region, { tag: { key: 'workflow-id', value: workflowId } }));
  const ours = mine.filter((v) => v.tags.disk !== undefined);
  for (const volume of ours) {
    if (volume.serverId) await callProvider(() => provider.detachVolume(region, volume.id));
  }
  for (const volume of ours) {
    await pollUntil(() => callProvider(() => provider.getVolume(region, volume.id)), (v: Volume) => !['attaching', 'in-use', 'detaching', 'creating'].includes(v.state));
    await callProvider(() => provider.deleteVolume(region, volume.id));
  }
  return ours.map((v) => v.id);
}

/** Detaches the data volumes a launch made for this server (the `disk` tag marks them) and waits until they are free. */
export async function detachLaunchVolumes(provider: CloudProvider, region: string, serverId: string): Promise<string[]> {
  const attached = (await callProvider(() => provider.listVolumes(region, { serverId }))).filter((v) => v.tags.disk !== undefined);
  for (const volume of attached) await callProvider(() => provider.detachVolume(region, volume.id));
  for (const volume of attached) {
    await pollUntil(() => callProvider(() => provider.getVolume(region, volume.id)), (v) => !['attaching', 'in-use', 'detaching'].includes(v.state));
  }
  return attached.map((v) => v.id);
}

export async function deleteVolumes(provider: CloudProvider, region: string, volumeIds: string[]): Promise<void> {
  for (const id of volumeIds) await callProvider(() => provider.deleteVolume(region, id));
}
