import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsProvider } from '../../providers/aws/aws-provider';
import { bearer } from '../support/api-keys';
import { startAwsTestApi } from '../support/aws-api';
import { ed25519PublicKey, rsaPublicKey } from '../support/ssh-public-keys';

const EAST = 'us-east-1';
const WEST = 'us-west-2';

// Key pairs through the API on the EC2 driver against moto (CreateKeyPair, ImportKeyPair, DescribeKeyPairs,
// DeleteKeyPair), GUEST_EXECUTOR=none.
describe('key pairs on aws (moto)', () => {
  let aws: AwsProvider;
  let env: Awaited<ReturnType<typeof startAwsTestApi>>;
  beforeAll(async () => {
    env = await startAwsTestApi(EAST);
    aws = env.aws;
  });
  afterAll(async () => {
    await env?.stop();
  });

  type Who = 'admin' | 'operator' | 'outsider';
  const as = (who: Who, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    env.app.inject({ method, url, headers: bearer(env.keys[who]), ...(payload ? { payload } : {}) });
  const names = async (who: Who, region = EAST) =>
    (await as(who, 'GET', `/v1/keypairs?region=${region}&limit=500`))
      .json()
      .items.map((k: { name: string }) => k.name) as string[];

  it('creates a key pair whose private key comes once, imports ed25519 and RSA keys, refuses a short RSA key', async () => {
    const made = await as('operator', 'POST', '/v1/keypairs', { region: EAST, name: 'aws-made' });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({ name: 'aws-made', region: EAST, group: 'ops', tags: { group: 'ops' } });
    expect(made.json().privateKey).toContain('PRIVATE KEY');
    const list = await as('operator', 'GET', `/v1/keypairs?region=${EAST}`);
    expect(list.json().items).toContainEqual(expect.objectContaining({ name: 'aws-made', group: 'ops' }));
    expect(list.body).not.toContain('PRIVATE');

    for (const [name, publicKey] of [
      ['aws-ed25519', ed25519PublicKey()],
      ['aws-rsa2048', rsaPublicKey(2048)],
    ]) {
      const res = await as('operator', 'POST', '/v1/keypairs', { region: EAST, name, publicKey });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().privateKey).toBeUndefined();
      expect(res.json().fingerprint).not.toBe('');
    }
    const weak = await as('operator', 'POST', '/v1/keypairs', {
      region: EAST,
      name: 'aws-rsa1024',
      publicKey: rsaPublicKey(1024),
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().message).toMatch(/^body\.publicKey: an RSA key of 1024 bits is too weak/);
    expect(await names('operator')).toEqual(expect.arrayContaining(['aws-made', 'aws-ed25519', 'aws-rsa2048']));
    expect(await names('operator')).not.toContain('aws-rsa1024');
    expect((await as('operator', 'POST', '/v1/keypairs', { region: EAST, name: 'aws-made' })).statusCode).toBe(409);
  }, 60_000);

  it('refuses to delete a key pair an instance uses, then deletes it; another group’s is hidden', async () => {
    expect((await as('operator', 'POST', '/v1/keypairs', { region: EAST, name: 'aws-used' })).statusCode).toBe(201);
    const base = (await aws.searchPublicImages(EAST, { q: 'amzn2-ami-hvm-*-x86_64-gp2', architecture: 'x86_64' }))
      .items[0]!;
    const server = await aws.launchServer(EAST, {
      imageId: base.id,
      productId: 't3.micro',
      name: 'keypair-user',
      zone: `${EAST}a`,
      keypairName: 'aws-used',
      clientToken: randomUUID(),
      tags: { group: 'ops' },
    });
    const inUse = await as('operator', 'DELETE', `/v1/keypairs/aws-used?region=${EAST}`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().message).toContain(`is used by ${server.id} (keypair-user,`);
    // The outsider does not see the key pair at all: 404, not the servers that use it.
    const hidden = await as('outsider', 'DELETE', `/v1/keypairs/aws-used?region=${EAST}`);
    expect(hidden.statusCode).toBe(404);
    expect(await names('outsider')).not.toContain('aws-used');

    await aws.terminateServer(EAST, server.id);
    expect((await as('operator', 'DELETE', `/v1/keypairs/aws-used?region=${EAST}`)).statusCode).toBe(204);
    expect(await names('operator')).not.toContain('aws-used');
  }, 60_000);

  it('lists key pairs of every region in pages', async () => {
    for (const [region, name] of [
      [EAST, 'aws-page-1'],
      [WEST, 'aws-page-2'],
      [WEST, 'aws-page-3'],
    ])
      expect((await as('operator', 'POST', '/v1/keypairs', { region, name })).statusCode).toBe(201);
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await as('operator', 'GET', `/v1/keypairs?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.statusCode, page.body).toBe(200);
      paged.push(...page.json().items.map((k: { region: string; name: string }) => `${k.region}/${k.name}`));
      cursor = page.json().nextCursor;
    } while (cursor);
    expect(paged).toEqual(expect.arrayContaining([`${EAST}/aws-page-1`, `${WEST}/aws-page-2`, `${WEST}/aws-page-3`]));
    expect(new Set(paged).size).toBe(paged.length);
    expect([...paged].sort()).toEqual(paged);
  }, 120_000);
});
