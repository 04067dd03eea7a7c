import {
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  RunInstancesCommand,
  RebootInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type DescribeInstancesCommandInput,
  type Filter,
  type Instance,
} from '@aws-sdk/client-ec2';
import type { Server, ServerStatus, StatusCheck } from '../../domain/server';
import type { LaunchServerInput, ServerFilter } from '../cloud-provider';
import { ProviderError, isProviderError } from '../../domain/cloud-errors';
import { ec2ClientToken, ignoreNotFound, type Ec2Session } from './ec2-session';
import { getImage } from './images';
import { collectAll } from './paging';
import { ec2ServerStates, serverState } from './states';
import { TAG, fromTagList, tagFilters, tagSpecifications } from './tags';

const LIVE_STATES = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];

export function toServer(instance: Instance, requestedTags: Record<string, string> = {}): Server {
  const tags = { ...requestedTags, ...fromTagList(instance.Tags) };
  return {
    id: instance.InstanceId ?? '',
    name: tags[TAG.name] ?? '',
    state: serverState(instance.State?.Name),
    imageId: instance.ImageId ?? '',
    productId: instance.InstanceType ?? '',
    zone: instance.Placement?.AvailabilityZone ?? '',
    ...(instance.PublicIpAddress ? { publicIp: instance.PublicIpAddress } : {}),
    ...(instance.PrivateIpAddress ? { privateIp: instance.PrivateIpAddress } : {}),
    createdAt: instance.LaunchTime ? new Date(instance.LaunchTime).toISOString() : '',
    firewallIds: (instance.SecurityGroups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
    ...(instance.KeyName ? { keypairName: instance.KeyName } : {}),
    tags,
  };
}

async function describeInstances(
  ec2: Ec2Session,
  region: string,
  query: Pick<DescribeInstancesCommandInput, 'InstanceIds' | 'Filters'>,
) {
  return collectAll(async (token) => {
    const paged = query.InstanceIds ? { NextToken: token } : { MaxResults: 1000, NextToken: token };
    const out = await ec2.call(region, 'DescribeInstances', (c) =>
      c.send(new DescribeInstancesCommand({ ...query, ...paged })),
    );
    return { items: (out.Reservations ?? []).flatMap((r) => r.Instances ?? []), next: out.NextToken };
  });
}

export async function launchServer(ec2: Ec2Session, region: string, input: LaunchServerInput): Promise<Server> {
  // EC2 honours ClientToken and moto does not; the token tag finds an earlier launch on either.
  const byToken = [
    ...tagFilters({ key: TAG.clientToken, value: input.clientToken }),
    { Name: 'instance-state-name', Values: LIVE_STATES },
  ];
  const [earlier] = await describeInstances(ec2, region, { Filters: byToken });
  if (earlier) return toServer(earlier);
  // A clear NotFound before anything is created (moto would even launch from an image that does not exist).
  await getImage(ec2, region, input.imageId);

  const tags = { ...input.tags, [TAG.name]: input.name, [TAG.clientToken]: input.clientToken };
  const out = await ec2.call(region, 'RunInstances', (c) =>
    c.send(
      new RunInstancesCommand({
        ImageId: input.imageId,
        InstanceType: input.productId as Instance['InstanceType'],
        MinCount: 1,
        MaxCount: 1,
        ClientToken: ec2ClientToken(input.clientToken),
        ...(input.zone ? { Placement: { AvailabilityZone: input.zone } } : {}),
        ...(input.firewallIds?.length ? { SecurityGroupIds: input.firewallIds } : {}),
        ...(input.keypairName ? { KeyName: input.keypairName } : {}),
        ...(input.userData ? { UserData: Buffer.from(input.userData, 'utf8').toString('base64') } : {}),
        TagSpecifications: tagSpecifications(['instance', 'volume'], tags),
      }),
    ),
  );
  const instance = out.Instances?.[0];
  if (!instance)
    throw new ProviderError(
      'Unavailable',
      `EC2 RunInstances in ${region} returned no instance for image ${input.imageId}`,
    );
  return toServer(instance, tags);
}

export async function getServer(ec2: Ec2Session, region: string, serverId: string): Promise<Server> {
  const [instance] = await describeInstances(ec2, region, { InstanceIds: [serverId] });
  if (!instance) throw new ProviderError('NotFound', `server ${serverId} does not exist in ${region}`);
  return toServer(instance);
}

export async function listServers(ec2: Ec2Session, region: string, filter: ServerFilter = {}): Promise<Server[]> {
  const filters: Filter[] = tagFilters(filter.tag);
  if (filter.imageId) filters.push({ Name: 'image-id', Values: [filter.imageId] });
  if (filter.states) {
    const states = ec2ServerStates(filter.states);
    if (states.length === 0) return [];
    filters.push({ Name: 'instance-state-name', Values: states });
  }
  return (await describeInstances(ec2, region, filters.length ? { Filters: filters } : {})).map((i) => toServer(i));
}

export async function stopServer(ec2: Ec2Session, region: string, serverId: string): Promise<Server> {
  await ec2.call(region, 'StopInstances', (c) => c.send(new StopInstancesCommand({ InstanceIds: [serverId] })));
  return getServer(ec2, region, serverId);
}

export async function startServer(ec2: Ec2Session, region: string, serverId: string): Promise<Server> {
  await ec2.call(region, 'StartInstances', (c) => c.send(new StartInstancesCommand({ InstanceIds: [serverId] })));
  return getServer(ec2, region, serverId);
}

/** EC2 reboots a running instance's OS (hard after four minutes without a clean shutdown); it stays running. */
export async function rebootServer(ec2: Ec2Session, region: string, serverId: string): Promise<Server> {
  const server = await getServer(ec2, region, serverId);
  if (server.state !== 'running')
    throw new ProviderError('Conflict', `server ${serverId} is ${server.state}; only a running server can reboot`);
  await ec2.call(region, 'RebootInstances', (c) => c.send(new RebootInstancesCommand({ InstanceIds: [serverId] })));
  return server;
}

export async function terminateServer(ec2: Ec2Session, region: string, serverId: string): Promise<void> {
  await ignoreNotFound(() =>
    ec2.call(region, 'TerminateInstances', (c) => c.send(new TerminateInstancesCommand({ InstanceIds: [serverId] }))),
  );
}

export async function statusChecks(ec2: Ec2Session, region: string, serverId: string): Promise<StatusCheck> {
  const [status] = await serverStatuses(ec2, region, [serverId], false);
  if (!status) throw new ProviderError('NotFound', `server ${serverId} does not exist in ${region}`);
  return status.checks;
}

/** DescribeInstanceStatus takes at most 100 instance ids a call. */
export const STATUS_BATCH_LIMIT = 100;

/**
 * One DescribeInstanceStatus for up to 100 servers. EC2 fails the whole call when one id is unknown and names the
 * unknown ones in its message: those are left out and the rest asked again (`tolerateUnknown`).
 */
export async function serverStatuses(
  ec2: Ec2Session,
  region: string,
  serverIds: string[],
  tolerateUnknown = true,
): Promise<ServerStatus[]> {
  let ids = [...new Set(serverIds)];
  for (;;) {
    if (ids.length === 0) return [];
    try {
      const out = await ec2.call(region, 'DescribeInstanceStatus', (c) =>
        c.send(new DescribeInstanceStatusCommand({ InstanceIds: ids, IncludeAllInstances: true })),
      );
      return (out.InstanceStatuses ?? []).map((status) => ({
        serverId: status.InstanceId ?? '',
        state: serverState(status.InstanceState?.Name),
        checks: checksOf(status.InstanceState?.Name, status.InstanceStatus?.Status, status.SystemStatus?.Status),
      }));
    } catch (err) {
      const unknown = tolerateUnknown && isProviderError(err) && err.code === 'NotFound' ? unknownIds(err.message) : [];
      const rest = ids.filter((id) => !unknown.includes(id));
      if (rest.length === ids.length) throw err;
      ids = rest;
    }
  }
}

const unknownIds = (message: string): string[] => message.match(/\bi-[0-9a-f]+\b/g) ?? [];

function checksOf(state: string | undefined, instance?: string, system?: string): StatusCheck {
  if (state !== 'running') return 'initializing';
  const checks = [instance, system];
  if (checks.includes('impaired')) return 'impaired';
  return checks.every((check) => check === 'ok') ? 'ok' : 'initializing';
}
