import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimProvider } from '../../providers/sim/sim-provider';
import { startTestApi } from '../support/api';
import { bearer } from '../support/api-keys';
import { launchRequest, startLaunch } from '../support/launches';
import { DSA_PUBLIC_KEY, ed25519PublicKey, rsaPublicKey } from '../support/ssh-public-keys';

const EAST = 'sim-east-1';
const WEST = 'sim-west-1';

// Key pairs through the API on the sim: created (the private key handed out once), imported, listed across
// regions in pages, deleted unless servers use them; each group sees and deletes its own.
describe('key pairs', () => {
  const sim = new SimProvider({ timeScale: 0 });
  let env: Awaited<ReturnType<typeof startTestApi>>;
  beforeAll(async () => {
    env = await startTestApi({ provider: sim });
  });
  afterAll(async () => env?.stop());

  type Who = 'admin' | 'operator' | 'viewer' | 'outsider';
  const as = (who: Who, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    env.app.inject({ method, url, headers: bearer(env.keys[who]), ...(payload ? { payload } : {}) });
  const create = (who: Who, body: object) => as(who, 'POST', '/v1/keypairs', body);
  const listed = async (who: Who, region = EAST) =>
    (await as(who, 'GET', `/v1/keypairs?region=${region}&limit=500`)).json().items as { name: string }[];

  it('creates a key pair in the caller’s group and hands out its private key in that answer only', async () => {
    const res = await create('operator', { region: EAST, name: 'kp-made' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const made = res.json();
    expect(made).toMatchObject({ name: 'kp-made', region: EAST, group: 'ops', tags: { group: 'ops' } });
    expect(made.privateKey).toMatch(/^-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    expect(made.fingerprint).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2})+$/);

    const list = await as('operator', 'GET', `/v1/keypairs?region=${EAST}`);
    expect(list.json().items).toContainEqual({
      name: 'kp-made',
      region: EAST,
      fingerprint: made.fingerprint,
      group: 'ops',
      tags: expect.objectContaining({ group: 'ops' }),
    });
    expect(list.body).not.toContain('PRIVATE');

    const again = await create('operator', { region: EAST, name: 'kp-made' });
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toContain('"kp-made" already exists in sim-east-1');
  });

  it('imports ed25519 and 2048-bit RSA public keys', async () => {
    for (const [name, publicKey] of [
      ['kp-ed25519', ed25519PublicKey()],
      ['kp-rsa2048', rsaPublicKey(2048)],
    ]) {
      const res = await create('operator', { region: EAST, name, publicKey });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ name, region: EAST, group: 'ops' });
      expect(res.json().privateKey).toBeUndefined();
    }
    expect((await listed('operator')).map((k) => k.name)).toEqual(expect.arrayContaining(['kp-ed25519', 'kp-rsa2048']));
  });

  it('refuses weak, old, garbled and private keys with 400 naming body.publicKey, and never echoes them', async () => {
    const privatePem = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString();
    const cases: [string, string][] = [
      [rsaPublicKey(1024), 'an RSA key of 1024 bits is too weak; use at least 2048 bits'],
      [DSA_PUBLIC_KEY, 'ssh-dss keys are not accepted'],
      ['ssh-ed25519 bm90IGEga2V5', 'not an OpenSSH public key'],
      ['hello world', 'not an OpenSSH public key'],
      // The right format around a point that is not on the curve.
      [
        'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAAABBA==',
        'the ecdsa-sha2-nistp256 key is damaged',
      ],
      [privatePem, 'this is a private key; never send it'],
    ];
    for (const [publicKey, message] of cases) {
      const res = await create('operator', { region: EAST, name: 'kp-refused', publicKey });
      expect(res.statusCode, publicKey).toBe(400);
      expect(res.json().message).toMatch(/^body\.publicKey: /);
      expect(res.json().message).toContain(message);
      expect(res.body).not.toContain(publicKey.split(/\s+/)[1]!.slice(0, 40));
    }
    expect((await listed('admin')).map((k) => k.name)).not.toContain('kp-refused');
  });

  it('refuses names the cloud would refuse, unknown regions and fields over their limits, naming the field', async () => {
    const cases: [object, string][] = [
      [{ region: EAST, name: 'ключ' }, 'body.name: "ключ" does not fit sim\'s key pair names'],
      [{ region: 'mars-1', name: 'kp-x' }, 'body.region: "mars-1" is not a region of sim'],
      [{ region: EAST, name: 'k'.repeat(256) }, 'body.name'],
      [{ region: EAST, name: 'kp-x', publicKey: 'x'.repeat(8193) }, 'body.publicKey'],
      [{ region: EAST, name: 'kp-x', group: '*' }, 'body.group'],
    ];
    for (const [body, message] of cases) {
      const res = await create('operator', body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.json().message).toContain(message);
    }
  });

  it('makes a key pair only for a group the caller acts for; another group’s is hidden from it', async () => {
    const other = await create('operator', { region: EAST, name: 'kp-data', group: 'data' });
    expect(other.statusCode).toBe(403);
    expect(other.json().message).toContain('body.group: operator does not act for group "data"');

    expect((await create('outsider', { region: EAST, name: 'kp-data' })).json()).toMatchObject({ group: 'data' });
    expect((await listed('operator')).map((k) => k.name)).not.toContain('kp-data');
    expect((await listed('outsider')).map((k) => k.name)).toContain('kp-data');
    const hidden = await as('operator', 'DELETE', `/v1/keypairs/kp-data?region=${EAST}`);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().message).toBe('key pair "kp-data" in sim-east-1 does not exist');
    expect((await as('viewer', 'DELETE', `/v1/keypairs/kp-data?region=${EAST}`)).statusCode).toBe(403);

    // An admin naming no group makes the account's key pair: everyone uses it, only an admin deletes it.
    const shared = await create('admin', { region: EAST, name: 'kp-shared' });
    expect(shared.json().group).toBeUndefined();
    expect((await listed('outsider')).map((k) => k.name)).toContain('kp-shared');
    const refused = await as('operator', 'DELETE', `/v1/keypairs/kp-shared?region=${EAST}`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toContain('only an admin deletes it');
    expect((await as('admin', 'DELETE', `/v1/keypairs/kp-shared?region=${EAST}`)).statusCode).toBe(204);
  });

  it('refuses to delete a key pair servers use, naming those the caller may see, then deletes it', async () => {
    expect((await create('operator', { region: EAST, name: 'kp used/by servers' })).statusCode).toBe(201);
    const launch = (group: string, name: string) =>
      startLaunch(
        env.temporal.client,
        env.temporal.config.TEMPORAL_TASK_QUEUE,
        launchRequest({ name, group, keypair: { name: 'kp used/by servers' } }),
      ).then(async (handle) => (await handle.result()).server);
    const ours = await launch('ops', 'kp-user-ops');
    const theirs = await launch('data', 'kp-user-data');
    const url = `/v1/keypairs/${encodeURIComponent('kp used/by servers')}?region=${EAST}`;

    const inUse = await as('operator', 'DELETE', url);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().message).toBe(
      `key pair "kp used/by servers" in sim-east-1 is used by ${ours.id} (kp-user-ops, running), 1 server of other groups; terminate them first, then delete the key pair`,
    );
    expect(inUse.json().message).not.toContain(theirs.id);

    await sim.terminateServer(EAST, ours.id);
    await sim.terminateServer(EAST, theirs.id);
    expect((await as('operator', 'DELETE', url)).statusCode).toBe(204);
    expect((await listed('operator')).map((k) => k.name)).not.toContain('kp used/by servers');
    expect((await as('operator', 'DELETE', url)).statusCode).toBe(404);
  });

  it('lists every region’s key pairs by region and name, page by page with the cursor', async () => {
    for (const [region, name] of [
      [EAST, 'kp-page-1'],
      [EAST, 'kp-page-2'],
      [WEST, 'kp-page-3'],
      [WEST, 'kp-page-4'],
      [WEST, 'kp-page-5'],
    ])
      expect((await create('operator', { region, name })).statusCode).toBe(201);
    const all = (await as('operator', 'GET', '/v1/keypairs?limit=500')).json();
    expect(all.nextCursor).toBeUndefined();
    const places = all.items.map((k: { region: string; name: string }) => `${k.region}/${k.name}`);
    expect(places).toEqual(
      expect.arrayContaining([`${EAST}/kp-page-1`, `${EAST}/kp-page-2`, `${WEST}/kp-page-3`, `${WEST}/kp-page-5`]),
    );
    expect([...places].sort()).toEqual(places);

    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await as('operator', 'GET', `/v1/keypairs?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.statusCode, page.body).toBe(200);
      expect(page.json().items.length).toBeLessThanOrEqual(2);
      paged.push(...page.json().items.map((k: { region: string; name: string }) => `${k.region}/${k.name}`));
      cursor = page.json().nextCursor;
    } while (cursor);
    expect(paged).toEqual(places);

    const west = (await as('operator', 'GET', `/v1/keypairs?region=${WEST}&limit=500`)).json().items;
    expect(west.every((k: { region: string }) => k.region === WEST)).toBe(true);
    const bad = await as('operator', 'GET', '/v1/keypairs?cursor=nonsense');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^querystring\.cursor: /);
  });
});
