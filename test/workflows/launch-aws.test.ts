import {
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  DescribeVolumesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createdFirewallName, createdKeypairName } from '../../domain/launch';
import { AwsProvider } from '../../providers/aws/aws-provider';
import { secretRefs } from '../../secrets/key-store';
import { terminateServer } from '../../workflows/terminate-server';
import { startMoto, type Moto } from '../support/moto';
import { launchRequest, startLaunch } from '../support/launches';
import { startTestWorker } from '../support/temporal';

// The launch's main path on the EC2 driver against moto. moto has no guests to reach, so this worker runs
// without a guest executor (GUEST_EXECUTOR=none): volume preparation is proven on the sim and on loop devices.
describe('launchServer on aws (moto)', () => {
  let moto: Moto;
  let aws: AwsProvider;
  let env: Awaited<ReturnType<typeof startTestWorker>>;
  // An EC2 client of the test's own, not the driver's: what it sees is what anyone looking at the account sees.
  let ec2: EC2Client;
  beforeAll(async () => {
    moto = await startMoto();
    const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
    aws = new AwsProvider({ region: 'us-east-1', endpoint: moto.endpoint, credentials });
    ec2 = new EC2Client({ region: 'us-east-1', endpoint: moto.endpoint, credentials });
    env = await startTestWorker({ provider: aws, guest: null });
  });
  afterAll(async () => {
    ec2?.destroy();
    await env?.stop();
    await moto?.stop();
  });

  /** What EC2 holds of a launch: tagged with its workflow id, or named as the launch names what it creates. */
  async function inEc2(workflowId: string) {
    const tagged = [{ Name: 'tag:workflow-id', Values: [workflowId] }];
    const keypairs = (await ec2.send(new DescribeKeyPairsCommand({}))).KeyPairs ?? [];
    const groups = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [];
    const instances = ((await ec2.send(new DescribeInstancesCommand({ Filters: tagged }))).Reservations ?? []).flatMap(
      (r) => r.Instances ?? [],
    );
    const isLaunchs = (
      name: string | undefined,
      tags: { Key?: string; Value?: string }[] | undefined,
      madeName: string,
    ) => name === madeName || (tags ?? []).some((t) => t.Key === 'workflow-id' && t.Value === workflowId);
    return {
      servers: instances.filter((i) => i.State?.Name !== 'terminated').map((i) => i.InstanceId),
      keypairs: keypairs
        .filter((k) => isLaunchs(k.KeyName, k.Tags, createdKeypairName(workflowId)))
        .map((k) => k.KeyName),
      securityGroups: groups
        .filter((g) => isLaunchs(g.GroupName, g.Tags, createdFirewallName(workflowId)))
        .map((g) => g.GroupId),
      volumes: ((await ec2.send(new DescribeVolumesCommand({ Filters: tagged }))).Volumes ?? []).map((v) => v.VolumeId),
    };
  }

  const terminate = (serverId: string) =>
    env.client.workflow.execute(terminateServer, {
      taskQueue: env.config.TEMPORAL_TASK_QUEUE,
      workflowId: `terminate-${serverId}`,
      args: [{ region: 'us-east-1', serverId, keepVolumes: false }],
    });

  const firstImage = async () =>
    (await aws.searchPublicImages('us-east-1', { architecture: 'x86_64', limit: 50 })).items.find(
      (i) => i.state === 'available' && i.platform !== 'windows',
    )!;
  const sshFrom = (cidr: string) => ({
    create: { rules: [{ protocol: 'tcp' as const, fromPort: 22, toPort: 22, cidr }] },
  });

  it('creates a key pair and a firewall, launches, waits until ready, and terminates through the terminate workflow, leaving none of them in EC2', async () => {
    const image = await firstImage();
    const request = launchRequest({
      imageId: image.id,
      region: 'us-east-1',
      product: { productId: 't3.micro' },
      keypair: { create: {} },
      firewall: sshFrom('203.0.113.0/24'),
    });
    const handle = await startLaunch(env.client, env.config.TEMPORAL_TASK_QUEUE, request);
    const result = await handle.result();
    expect(result.steps.map((s) => s.name)).toEqual([
      'preflight',
      'keypair',
      'firewall',
      'provision',
      'wait-running',
      'wait-ready',
    ]);

    const server = await aws.getServer('us-east-1', result.server.id);
    expect(server).toMatchObject({ state: 'running', imageId: image.id, productId: 't3.micro' });
    expect(server.tags).toMatchObject({
      Name: 'web-1',
      'managed-by': 'machine-images',
      'workflow-id': handle.workflowId,
      'billing-code': 'ops-7',
    });
    expect((await aws.listKeypairs('us-east-1')).map((k) => k.name)).toContain(result.keypairName);
    expect(await env.keys.get(secretRefs.privateKey(handle.workflowId))).toMatch(/PRIVATE KEY/);
    expect((await aws.listFirewalls('us-east-1', { ids: result.firewallIds! }))[0]?.rules).toEqual([
      { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.0/24' },
    ]);
    // The independent client sees what the launch made, so its empty answer below means something.
    expect(await inEc2(handle.workflowId)).toMatchObject({
      servers: [result.server.id],
      keypairs: [result.keypairName],
      securityGroups: result.firewallIds,
    });

    const terminated = await terminate(result.server.id);
    expect(terminated).toEqual({
      serverId: result.server.id,
      deletedVolumeIds: [],
      keptVolumeIds: [],
      deletedKeypairs: [result.keypairName],
      deletedFirewallIds: result.firewallIds,
      keptFirewalls: [],
      keptKeypairs: [],
    });
    expect((await aws.getServer('us-east-1', result.server.id)).state).toBe('terminated');
    expect(await inEc2(handle.workflowId)).toEqual({ servers: [], keypairs: [], securityGroups: [], volumes: [] });
    expect(await env.keys.status(secretRefs.privateKey(handle.workflowId))).toBe('absent');
  });

  it('keeps a firewall its launch made while another launch chose it by id, and names that server in keptFirewalls', async () => {
    const image = await firstImage();
    const base = { imageId: image.id, region: 'us-east-1', product: { productId: 't3.micro' } };
    const first = await startLaunch(
      env.client,
      env.config.TEMPORAL_TASK_QUEUE,
      launchRequest({ ...base, name: 'shared-a', keypair: { create: {} }, firewall: sshFrom('198.51.100.0/24') }),
    );
    const a = await first.result();
    const shared = a.firewallIds![0]!;
    const second = await startLaunch(
      env.client,
      env.config.TEMPORAL_TASK_QUEUE,
      launchRequest({ ...base, name: 'shared-b', keypair: { create: {} }, firewall: { ids: [shared] } }),
    );
    const b = await second.result();
    expect((await aws.getServer('us-east-1', b.server.id)).firewallIds).toEqual([shared]);

    const terminatedA = await terminate(a.server.id);
    expect(terminatedA).toMatchObject({
      serverId: a.server.id,
      deletedKeypairs: [a.keypairName],
      deletedFirewallIds: [],
      keptFirewalls: [{ id: shared, usedBy: [b.server.id] }],
    });
    // The firewall stays in EC2, and still guards B; A's key pair and private key are gone.
    expect(await inEc2(first.workflowId)).toEqual({ servers: [], keypairs: [], securityGroups: [shared], volumes: [] });
    expect(await env.keys.status(secretRefs.privateKey(first.workflowId))).toBe('absent');
    expect(await aws.getServer('us-east-1', b.server.id)).toMatchObject({ state: 'running', firewallIds: [shared] });

    // B only chose the firewall: its termination takes B's own key pair and leaves A's firewall to the reaper.
    const terminatedB = await terminate(b.server.id);
    expect(terminatedB).toMatchObject({
      serverId: b.server.id,
      deletedKeypairs: [b.keypairName],
      deletedFirewallIds: [],
      keptFirewalls: [],
    });
    expect(await inEc2(second.workflowId)).toEqual({ servers: [], keypairs: [], securityGroups: [], volumes: [] });
    expect(await env.keys.status(secretRefs.privateKey(second.workflowId))).toBe('absent');
  });

  it('refuses volumes when no guest executor can prepare them, before creating anything', async () => {
    const image = (await aws.searchPublicImages('us-east-1', { architecture: 'x86_64', limit: 50 })).items.find(
      (i) => i.state === 'available',
    )!;
    const handle = await startLaunch(
      env.client,
      env.config.TEMPORAL_TASK_QUEUE,
      launchRequest({
        imageId: image.id,
        region: 'us-east-1',
        product: { productId: 't3.micro' },
        volumes: { count: 1, sizeGb: 5 },
      }),
    );
    const failure = await handle.result().catch((err: { cause?: unknown }) => err.cause);
    expect(failure).toMatchObject({ type: 'GuestUnavailable' });
    expect(await aws.listServers('us-east-1', { tag: { key: 'workflow-id', value: handle.workflowId } })).toEqual([]);
  });
});
