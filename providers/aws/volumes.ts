import {
  AttachVolumeCommand,
  CreateVolumeCommand,
  DeleteVolumeCommand,
  DescribeVolumesCommand,
  DetachVolumeCommand,
  type DescribeVolumesCommandInput,
  type Filter,
  type Volume as Ec2Volume,
  type VolumeType,
} from '@aws-sdk/client-ec2';
import type { Volume, VolumeState } from '../../domain/volume';
import type { CreateVolumeInput, VolumeFilter } from '../cloud-provider';
import { ProviderError } from '../../domain/cloud-errors';
import { ec2ClientToken, ignoreNotFound, readBack, type Ec2Session } from './ec2-session';
import { collectAll } from './paging';
import { volumeState } from './states';
import { TAG, fromTagList, tagFilters, tagSpecifications } from './tags';

const DEFAULT_TYPE = 'gp3';
const LIVE_STATES = ['creating', 'available', 'in-use'];

export function toVolume(volume: Ec2Volume, requestedTags: Record<string, string> = {}): Volume {
  const attachment = volume.Attachments?.find((a) => a.State !== 'detached');
  // EC2 keeps an attaching or detaching volume "in-use"; the attachment says which way it is going.
  const moving: VolumeState | undefined =
    attachment?.State === 'attaching' ? 'attaching' : attachment?.State === 'detaching' ? 'detaching' : undefined;
  return {
    id: volume.VolumeId ?? '',
    sizeGb: volume.Size ?? 0,
    type: volume.VolumeType ?? '',
    zone: volume.AvailabilityZone ?? '',
    state: moving ?? volumeState(volume.State),
    encrypted: volume.Encrypted ?? false,
    ...(volume.KmsKeyId ? { kmsKeyId: volume.KmsKeyId } : {}),
    ...(attachment?.InstanceId ? { serverId: attachment.InstanceId } : {}),
    ...(attachment?.Device ? { device: attachment.Device } : {}),
    createdAt: volume.CreateTime ? new Date(volume.CreateTime).toISOString() : '',
    tags: { ...requestedTags, ...fromTagList(volume.Tags) },
  };
}

async function describeVolumes(
  ec2: Ec2Session,
  region: string,
  query: Pick<DescribeVolumesCommandInput, 'VolumeIds' | 'Filters'>,
) {
  return collectAll(async (token) => {
    const paged = query.VolumeIds ? { NextToken: token } : { MaxResults: 500, NextToken: token };
    const out = await ec2.call(region, 'DescribeVolumes', (c) =>
      c.send(new DescribeVolumesCommand({ ...query, ...paged })),
    );
    return { items: out.Volumes ?? [], next: out.NextToken };
  });
}

export async function createVolume(ec2: Ec2Session, region: string, input: CreateVolumeInput): Promise<Volume> {
  // EC2 honours ClientToken and moto does not; the token tag finds an earlier create on either.
  const byToken = [
    ...tagFilters({ key: TAG.clientToken, value: input.clientToken }),
    { Name: 'status', Values: LIVE_STATES },
  ];
  const [earlier] = await describeVolumes(ec2, region, { Filters: byToken });
  if (earlier) return toVolume(earlier);

  const tags = { ...input.tags, [TAG.clientToken]: input.clientToken };
  const out = await ec2.call(region, 'CreateVolume', (c) =>
    c.send(
      new CreateVolumeCommand({
        AvailabilityZone: input.zone,
        Size: input.sizeGb,
        VolumeType: (input.type ?? DEFAULT_TYPE) as VolumeType,
        Encrypted: input.encrypted,
        ...(input.kmsKeyId ? { KmsKeyId: input.kmsKeyId } : {}),
        ClientToken: ec2ClientToken(input.clientToken),
        TagSpecifications: tagSpecifications(['volume'], tags),
      }),
    ),
  );
  if (!out.VolumeId) throw new ProviderError('Unavailable', `EC2 CreateVolume in ${region} returned no volume id`);
  return toVolume(out, tags);
}

export async function attachVolume(
  ec2: Ec2Session,
  region: string,
  volumeId: string,
  serverId: string,
  device: string,
): Promise<Volume> {
  await ec2.call(region, 'AttachVolume', (c) =>
    c.send(new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: serverId, Device: device })),
  );
  return readBack(() => getVolume(ec2, region, volumeId));
}

export async function detachVolume(ec2: Ec2Session, region: string, volumeId: string): Promise<Volume> {
  const volume = await getVolume(ec2, region, volumeId);
  if (!volume.serverId || volume.state === 'detaching') return volume; // detached, or on its way
  // Naming the instance and device is optional on EC2, but moto fails without them.
  const target = {
    VolumeId: volumeId,
    InstanceId: volume.serverId,
    ...(volume.device ? { Device: volume.device } : {}),
  };
  await ec2.call(region, 'DetachVolume', (c) => c.send(new DetachVolumeCommand(target)));
  return getVolume(ec2, region, volumeId);
}

export async function deleteVolume(ec2: Ec2Session, region: string, volumeId: string): Promise<void> {
  await ignoreNotFound(() =>
    ec2.call(region, 'DeleteVolume', (c) => c.send(new DeleteVolumeCommand({ VolumeId: volumeId }))),
  );
}

export async function getVolume(ec2: Ec2Session, region: string, volumeId: string): Promise<Volume> {
  const [volume] = await describeVolumes(ec2, region, { VolumeIds: [volumeId] });
  if (!volume) throw new ProviderError('NotFound', `volume ${volumeId} does not exist in ${region}`);
  return toVolume(volume);
}

export async function listVolumes(ec2: Ec2Session, region: string, filter: VolumeFilter = {}): Promise<Volume[]> {
  const filters: Filter[] = tagFilters(filter.tag);
  if (filter.serverId) filters.push({ Name: 'attachment.instance-id', Values: [filter.serverId] });
  return (await describeVolumes(ec2, region, filters.length ? { Filters: filters } : {})).map((v) => toVolume(v));
}
