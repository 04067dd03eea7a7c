import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  beforeAll(async () => {
    moto = await startMoto();
    aws = new AwsProvider({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    env = await startTestWorker({ provider: aws, guest: null });
  });
  afterAll(async () => {
    await env?.stop();
    await moto?.stop();
  });

  it('creates a key pair and a firewall, launches, waits until ready, and terminates through the terminate workflow', async () => {
    const image = (await aws.searchPublicImages('us-east-1', { architecture: 'x86_64', limit: 50 })).items.find((i) => i.state === 'available' && i.platform !== 'windows')!;
    const request = launchRequest({
      imageId: image.id,
      region: 'us-east-1',
      product: { productId: 't3.micro' },
      keypair: { create: {} },
      firewall: { create: { rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.0/24' }] } },
    });
    const handle = await startLaunch(env.client, env.config.TEMPORAL_TASK_QUEUE, request);
    const result = await handle.result();
    expect(result.steps.map((s) => s.name)).toEqual(['preflight', 'keypair', 'firewall', 'provision', 'wait-running', 'wait-ready']);

    const server = await aws.getServer('us-east-1', result.server.id);
    expect(server).toMatchObject({ state: 'running', imageId: image.id, productId: 't3.micro' });
    expect(server.tags).toMatchObject({ Name: 'web-1', 'managed-by': 'machine-images', 'workflow-id': handle.workflowId, 'billing-code': 'ops-7' });
    expect((await aws.listKeypairs('us-east-1')).map((k) => k.name)).toContain(result.keypairName);
    expect(await env.keys.get(secretRefs.privateKey(handle.workflowId))).toMatch(/PRIVATE KEY/);
    expect((await aws.listFirewalls('us-east-1', { ids: result.firewallIds! }))[0]?.rules).toEqual([{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.0/24' }]);

    const terminated = await env.client.workflow.execute(terminateServer, {
      taskQueue: env.config.TEMPORAL_TASK_QUEUE,
      workflowId: `terminate-${result.server.id}`,
      args: [{ region: 'us-east-1', serverId: result.server.id, keepVolumes: false }],
    });
    expect(terminated.serverId).toBe(result.server.id);
    expect((await aws.getServer('us-east-1', result.server.id)).state).toBe('terminated');
  });

  it('refuses volumes when no guest executor can prepare them, before creating anything', async () => {
    const image = (await aws.searchPublicImages('us-east-1', { architecture: 'x86_64', limit: 50 })).items.find((i) => i.state === 'available')!;
    const handle = await startLaunch(env.client, env.config.TEMPORAL_TASK_QUEUE, launchRequest({ imageId: image.id, region: 'us-east-1', product: { productId: 't3.micro' }, volumes: { count: 1, sizeGb: 5 } }));
    const failure = await handle.result().catch((err: { cause?: unknown }) => err.cause);
    expect(failure).toMatchObject({ type: 'GuestUnavailable' });
    expect(await aws.listServers('us-east-1', { tag: { key: 'workflow-id', value: handle.workflowId } })).toEqual([]);
  });
});
