import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimProvider } from '../../providers/sim/sim-provider';
import { startTestApi } from '../support/api';
import { bearer } from '../support/api-keys';
import { LAUNCH_BODY } from '../support/launches';

const region = 'sim-east-1';
const ssh = { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.0/24' };
const web = { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' };
const web6 = { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '2001:db8::/32' };

// Firewalls through HTTP on the sim: create, add and remove rules, delete once no server is in one.
describe('firewalls API (sim)', () => {
  let env: Awaited<ReturnType<typeof startTestApi>>;
  let sim: SimProvider;
  beforeAll(async () => {
    env = await startTestApi();
    sim = env.temporal.provider as SimProvider;
  });
  afterAll(async () => {
    await env?.stop();
  });

  const as = (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    env.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const create = (token: string, rules: object[] = [ssh], extra: object = {}) =>
    as(token, 'POST', '/v1/firewalls', { region, name: `fw-${randomUUID().slice(0, 8)}`, rules, ...extra });

  it('creates a firewall in the caller’s group, adds and removes rules, IPv6 included', async () => {
    const created = await create(env.keys.operator);
    expect(created.statusCode, created.body).toBe(201);
    const firewall = created.json();
    expect(firewall).toMatchObject({ region, rules: [ssh], tags: { group: 'ops', 'managed-by': 'machine-images' } });

    const added = await as(env.keys.operator, 'POST', `/v1/firewalls/${firewall.id}/rules?region=${region}`, {
      rules: [web, web6],
    });
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json().rules).toEqual(expect.arrayContaining([ssh, web, web6]));

    const removed = await as(env.keys.operator, 'DELETE', `/v1/firewalls/${firewall.id}/rules?region=${region}`, {
      rules: [web, web6],
    });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json().rules).toEqual([ssh]);

    const listed = await as(env.keys.viewer, 'GET', `/v1/firewalls?region=${region}&limit=200`);
    expect(listed.json().items).toContainEqual(expect.objectContaining({ id: firewall.id, rules: [ssh], region }));
  });

  it('refuses 409 to delete a firewall a server is in, naming the server, and deletes it once the server is gone', async () => {
    const firewall = (await create(env.keys.operator)).json();
    const server = await sim.launchServer(region, {
      imageId: LAUNCH_BODY.imageId,
      productId: 'm1.small',
      name: 'fw-user',
      firewallIds: [firewall.id],
      tags: { group: 'ops' },
      clientToken: randomUUID(),
    });
    const refused = await as(env.keys.operator, 'DELETE', `/v1/firewalls/${firewall.id}?region=${region}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain(`${server.id} (fw-user, `);

    await sim.terminateServer(region, server.id);
    const deleted = await as(env.keys.operator, 'DELETE', `/v1/firewalls/${firewall.id}?region=${region}`);
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect((await sim.listFirewalls(region, { ids: [firewall.id] })).length).toBe(0);
  });

  it('answers 400 naming the field for a bad rule', async () => {
    const cases: [object, RegExp][] = [
      [{ ...ssh, protocol: 'gre' }, /body\.rules\.0\.protocol/],
      [{ ...ssh, fromPort: 70000, toPort: 70000 }, /body\.rules\.0\.fromPort/],
      [{ ...ssh, fromPort: 90, toPort: 80 }, /body\.rules\.0\.toPort/],
      [{ ...ssh, fromPort: -1, toPort: 22 }, /body\.rules\.0\.fromPort/],
      [{ ...ssh, cidr: '10.0.0.300/8' }, /body\.rules\.0\.cidr/],
      [{ ...ssh, cidr: '2001:db8::zz/32' }, /body\.rules\.0\.cidr/],
    ];
    for (const [rule, field] of cases) {
      const res = await create(env.keys.operator, [rule]);
      expect(res.statusCode, JSON.stringify(rule)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(field) });
    }
    const tooMany = await create(
      env.keys.operator,
      Array.from({ length: 51 }, () => ssh),
    );
    expect(tooMany.statusCode).toBe(400);
    const badRegion = await as(env.keys.operator, 'POST', '/v1/firewalls', { region: 'mars-1', name: 'x', rules: [] });
    expect(badRegion.json().message).toMatch(/^body\.region/);
    // A name the cloud itself would refuse (its ids start sg-) is a 400 before the cloud is asked.
    const cloudName = await as(env.keys.operator, 'POST', '/v1/firewalls', { region, name: 'sg-web', rules: [] });
    expect(cloudName.statusCode).toBe(400);
    expect(cloudName.json().message).toMatch(/^body\.name: "sg-web" does not fit/);
  });

  it('hides another group’s firewall (404) and lets a viewer only read', async () => {
    const theirs = (await create(env.keys.outsider)).json();
    expect(theirs.tags.group).toBe('data');
    for (const [method, url, payload] of [
      ['POST', `/v1/firewalls/${theirs.id}/rules?region=${region}`, { rules: [web] }],
      ['DELETE', `/v1/firewalls/${theirs.id}/rules?region=${region}`, { rules: [ssh] }],
      ['DELETE', `/v1/firewalls/${theirs.id}?region=${region}`, undefined],
    ] as const) {
      const res = await as(env.keys.operator, method, url, payload);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    const listed = await as(env.keys.operator, 'GET', `/v1/firewalls?region=${region}&limit=200`);
    expect(listed.json().items.map((f: { id: string }) => f.id)).not.toContain(theirs.id);
    expect((await create(env.keys.viewer)).statusCode).toBe(403);
    expect((await create(env.keys.operator, [ssh], { group: 'data' })).statusCode).toBe(403);
  });

  it('lists across regions when none is named, paged with a cursor', async () => {
    await sim.createFirewall('sim-west-1', {
      name: `west-${randomUUID().slice(0, 8)}`,
      description: 'west',
      rules: [],
      tags: { group: 'ops' },
    });
    const all = (await as(env.keys.operator, 'GET', '/v1/firewalls?limit=200')).json().items as {
      id: string;
      region: string;
    }[];
    expect(new Set(all.map((f) => f.region))).toEqual(new Set([region, 'sim-west-1']));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = (
        await as(env.keys.operator, 'GET', `/v1/firewalls?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((f: { id: string }) => f.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((f) => f.id));
    expect((await as(env.keys.operator, 'GET', '/v1/firewalls?cursor=nonsense')).statusCode).toBe(400);
  });
});

// The same API on a cloud whose firewalls take IPv4 sources only (as qemu's): an IPv6 rule is refused before the cloud.
describe('firewalls API on a cloud without IPv6 firewall rules', () => {
  let env: Awaited<ReturnType<typeof startTestApi>>;
  beforeAll(async () => {
    const sim = new SimProvider({ timeScale: 0 });
    const ipv4Only = Object.assign(Object.create(sim) as SimProvider, {
      capabilities: async (r: string) => ({ ...(await sim.capabilities(r)), ipv6Firewall: false }),
    });
    env = await startTestApi({ provider: ipv4Only });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('answers 400 naming the IPv6 rule, on create and on adding rules', async () => {
    const refused = await env.app.inject({
      method: 'POST',
      url: '/v1/firewalls',
      payload: { region, name: 'v4-only', group: 'ops', rules: [ssh, web6] },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toMatch(/^body\.rules\.1\.cidr: .*IPv4 sources only/);
    const created = await env.app.inject({
      method: 'POST',
      url: '/v1/firewalls',
      payload: { region, name: 'v4-only', group: 'ops', rules: [ssh] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const added = await env.app.inject({
      method: 'POST',
      url: `/v1/firewalls/${created.json().id}/rules?region=${region}`,
      payload: { rules: [web6] },
    });
    expect(added.statusCode).toBe(400);
    expect(added.json().message).toMatch(/^body\.rules\.0\.cidr/);
  });
});
