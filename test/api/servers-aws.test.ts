import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsProvider } from '../../providers/aws/aws-provider';
import { startAwsTestApi } from '../support/aws-api';

const REGION = 'us-east-1';

// Stop, start and reboot through the API on the EC2 driver against moto (StopInstances, StartInstances,
// RebootInstances), GUEST_EXECUTOR=none.
describe('server stop and start on aws (moto)', () => {
  let aws: AwsProvider;
  let env: Awaited<ReturnType<typeof startAwsTestApi>>;
  beforeAll(async () => {
    env = await startAwsTestApi(REGION);
    aws = env.aws;
  });
  afterAll(async () => {
    await env?.stop();
  });

  const closed = async (id: string) => {
    await env.temporal.client.workflow
      .getHandle(id)
      .result()
      .catch(() => undefined);
    return (await env.app.inject({ method: 'GET', url: `/v1/operations/${id}` })).json();
  };

  it('stops an instance, starts it again and reboots it, each through its operation', async () => {
    const base = (await aws.searchPublicImages(REGION, { q: 'amzn2-ami-hvm-*-x86_64-gp2', architecture: 'x86_64' }))
      .items[0]!;
    const server = await aws.launchServer(REGION, {
      imageId: base.id,
      productId: 't3.micro',
      name: 'power-aws-1',
      zone: `${REGION}a`,
      clientToken: randomUUID(),
      tags: { group: 'ops' },
    });
    for (const [action, state] of [
      ['stop', 'stopped'],
      ['start', 'running'],
      ['reboot', 'running'],
    ] as const) {
      const res = await env.app.inject({ method: 'POST', url: `/v1/servers/${server.id}/${action}?region=${REGION}` });
      expect(res.statusCode, res.body).toBe(202);
      expect(await closed(res.json().id)).toMatchObject({
        status: 'completed',
        result: { serverId: server.id, state },
      });
      expect((await aws.getServer(REGION, server.id)).state).toBe(state);
    }
    await aws.terminateServer(REGION, server.id);
  }, 120_000);
});
