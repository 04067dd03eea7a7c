import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsProvider } from '../../providers/aws/aws-provider';
import { bearer } from '../support/api-keys';
import { startAwsTestApi } from '../support/aws-api';

const REGION = 'us-east-1';
const ssh = { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.0/24' };
const web6 = { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '2001:db8::/32' };

// Firewalls through HTTP on the EC2 driver against moto: security groups, their ingress rules (IPv6 ranges
// included) and the refusal to delete one an instance is in. GUEST_EXECUTOR=none.
describe('firewalls API on aws (moto)', () => {
  let aws: AwsProvider;
  let env: Awaited<ReturnType<typeof startAwsTestApi>>;
  beforeAll(async () => {
    env = await startAwsTestApi(REGION);
    aws = env.aws;
  });
  afterAll(async () => {
    await env?.stop();
  });

  const as = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    env.app.inject({ method, url, headers: bearer(env.keys.operator), ...(payload ? { payload } : {}) });

  it('creates a security group, adds and revokes IPv4 and IPv6 rules, and deletes it once its instance is gone', async () => {
    const created = await as('POST', '/v1/firewalls', {
      region: REGION,
      name: `fw-${randomUUID().slice(0, 8)}`,
      rules: [ssh],
    });
    expect(created.statusCode, created.body).toBe(201);
    const firewall = created.json();
    expect(firewall).toMatchObject({ region: REGION, rules: [ssh], tags: { group: 'ops' } });

    const added = await as('POST', `/v1/firewalls/${firewall.id}/rules?region=${REGION}`, { rules: [web6] });
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json().rules).toEqual(expect.arrayContaining([ssh, web6]));
    const removed = await as('DELETE', `/v1/firewalls/${firewall.id}/rules?region=${REGION}`, { rules: [ssh] });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json().rules).toEqual([web6]);
    const listed = (await as('GET', `/v1/firewalls?region=${REGION}&limit=200`)).json();
    expect(listed.items).toContainEqual(expect.objectContaining({ id: firewall.id, rules: [web6] }));

    const base = (await aws.searchPublicImages(REGION, { q: 'amzn2-ami-hvm-*-x86_64-gp2', architecture: 'x86_64' }))
      .items[0]!;
    const server = await aws.launchServer(REGION, {
      imageId: base.id,
      productId: 't3.micro',
      name: 'fw-user-aws',
      zone: `${REGION}a`,
      firewallIds: [firewall.id],
      clientToken: randomUUID(),
      tags: { group: 'ops' },
    });
    const refused = await as('DELETE', `/v1/firewalls/${firewall.id}?region=${REGION}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain(`${server.id} (fw-user-aws, `);

    await aws.terminateServer(REGION, server.id);
    const deleted = await as('DELETE', `/v1/firewalls/${firewall.id}?region=${REGION}`);
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect((await as('GET', `/v1/firewalls?region=${REGION}&limit=200`)).json().items).not.toContainEqual(
      expect.objectContaining({ id: firewall.id }),
    );
  }, 120_000);

  it('answers 404 for a firewall id EC2 does not know, and 400 naming a bad rule', async () => {
    const missing = await as('POST', `/v1/firewalls/sg-0123456789abcdef0/rules?region=${REGION}`, { rules: [ssh] });
    expect(missing.statusCode, missing.body).toBe(404);
    const bad = await as('POST', '/v1/firewalls', {
      region: REGION,
      name: 'bad-rule',
      rules: [{ ...ssh, cidr: '203.0.113.0/33' }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^body\.rules\.0\.cidr/);
  }, 60_000);
});
