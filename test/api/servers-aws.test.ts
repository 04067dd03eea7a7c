import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../../domain/server';
import type { AwsProvider } from '../../providers/aws/aws-provider';
import { startAwsTestApi } from '../support/aws-api';

const REGION = 'us-east-1';

// Stop, start and reboot through the API on the EC2 driver against moto (StopInstances, StartInstances,
// RebootInstances), GUEST_EXECUTOR=none.
describe('servers on aws (moto)', () => {
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

  it('lists instances of every region, filtered by name, group, billing code and state, and paged', async () => {
    const base = (await aws.searchPublicImages(REGION, { q: 'amzn2-ami-hvm-*-x86_64-gp2', architecture: 'x86_64' }))
      .items[0]!;
    const run = randomUUID().slice(0, 8);
    const launched: Server[] = [];
    for (const [name, billing] of [
      [`list-${run}-a`, 'ops-7'],
      [`list-${run}-b`, 'ops-7'],
      [`list-${run}-c`, 'ops-8'],
    ] as const)
      launched.push(
        await aws.launchServer(REGION, {
          imageId: base.id,
          productId: 't3.micro',
          name,
          zone: `${REGION}a`,
          clientToken: randomUUID(),
          tags: { group: 'ops', 'billing-code': billing, 'workflow-id': `launch-${name}` },
        }),
      );
    const list = async (query: string) => {
      const res = await env.app.inject({ method: 'GET', url: `/v1/servers?name=list-${run}&${query}` });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { items: { id: string; region: string; launchId?: string }[]; nextCursor?: string };
    };
    // No region named: every region EC2 offers is read, and these are in us-east-1.
    const all = await list('group=ops');
    expect(all.items.map((s) => s.id).sort()).toEqual(launched.map((s) => s.id).sort());
    expect(all.items.every((s) => s.region === REGION)).toBe(true);
    expect(all.items.find((s) => s.id === launched[0]!.id)?.launchId).toBe(`launch-list-${run}-a`);
    expect((await list('billingCode=ops-8')).items.map((s) => s.id)).toEqual([launched[2]!.id]);

    const first = await list('limit=2');
    expect(first.items).toHaveLength(2);
    const second = await list(`limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(second.nextCursor).toBeUndefined();
    expect([...first.items, ...second.items].map((s) => s.id).sort()).toEqual(launched.map((s) => s.id).sort());

    await aws.stopServer(REGION, launched[1]!.id);
    await expect
      .poll(async () => (await list('state=stopped')).items.map((s) => s.id), { timeout: 30_000 })
      .toEqual([launched[1]!.id]);
    // Another group's key sees none of them.
    const outsider = await env.app.inject({
      method: 'GET',
      url: `/v1/servers?name=list-${run}`,
      headers: { authorization: `Bearer ${env.keys.outsider}` },
    });
    expect(outsider.json().items).toEqual([]);
    for (const server of launched) await aws.terminateServer(REGION, server.id);
  }, 180_000);
});
