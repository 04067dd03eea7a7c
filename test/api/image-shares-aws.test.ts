import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineImage } from '../../domain/image';
import type { AwsProvider } from '../../providers/aws/aws-provider';
import { bearer } from '../support/api-keys';
import { startAwsTestApi } from '../support/aws-api';

const REGION = 'us-east-1';

// Image shares as EC2 launch permissions, against moto. moto keeps each account's images apart, so the receiving
// side (scope=shared) is proven on the sim; here it must still answer, without this account's own images.
describe('image shares API on aws (moto)', () => {
  let aws: AwsProvider;
  let env: Awaited<ReturnType<typeof startAwsTestApi>>;
  let image: MachineImage;
  beforeAll(async () => {
    env = await startAwsTestApi(REGION);
    aws = env.aws;
    const base = (await aws.searchPublicImages(REGION, { q: 'ubuntu', architecture: 'x86_64', limit: 50 })).items.find(
      (i) => i.state === 'available',
    )!;
    const run = randomUUID().slice(0, 8);
    const server = await aws.launchServer(REGION, {
      imageId: base.id,
      productId: 't3.micro',
      name: `src-${run}`,
      clientToken: run,
    });
    image = await aws.captureImage(REGION, {
      serverId: server.id,
      name: `own-${run}`,
      reboot: false,
      tags: { group: 'ops' },
    });
  });
  afterAll(async () => {
    await env?.stop();
  });
  const shares = () => `/v1/images/${image.id}/shares?region=${REGION}`;
  const send = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, token?: string) =>
    env.app.inject({
      method,
      url,
      ...(payload ? { payload } : {}),
      ...(token ? { headers: bearer(token) } : {}),
    });

  it('grants and revokes launch permission to AWS accounts as the group’s operator', async () => {
    const operator = env.keys.operator;
    const granted = await send('POST', shares(), { accounts: ['444455556666', '111122223333'] }, operator);
    expect(granted.statusCode, granted.body).toBe(200);
    expect(granted.json()).toEqual({
      imageId: image.id,
      region: REGION,
      accounts: ['111122223333', '444455556666'],
      public: false,
    });
    expect((await aws.listImageShares(REGION, image.id)).accounts).toEqual(['111122223333', '444455556666']);
    const revoked = await send('DELETE', shares(), { accounts: ['111122223333'] }, operator);
    expect(revoked.json()).toMatchObject({ accounts: ['444455556666'], public: false });
    expect((await send('GET', shares(), undefined, env.keys.viewer)).json()).toMatchObject({
      accounts: ['444455556666'],
    });
    expect((await send('DELETE', shares(), { accounts: ['444455556666'] }, operator)).json()).toMatchObject({
      accounts: [],
    });
  });

  it('makes the image public for an admin, and it stays this account’s own image to change and make private', async () => {
    expect((await send('POST', shares(), { public: true }, env.keys.operator)).statusCode).toBe(403);
    const made = await send('POST', shares(), { public: true });
    expect(made.statusCode, made.body).toBe(200);
    expect(made.json()).toMatchObject({ public: true });
    const detail = await send('GET', `/v1/images/${image.id}?region=${REGION}`);
    expect(detail.json()).toMatchObject({ id: image.id, visibility: 'private' });
    const own = await send('GET', `/v1/images?region=${REGION}&scope=own&limit=100`);
    expect(own.json().items.map((i: MachineImage) => i.id)).toContain(image.id);
    const privateAgain = await send('DELETE', shares(), { public: true });
    expect(privateAgain.statusCode, privateAgain.body).toBe(200);
    expect(privateAgain.json()).toMatchObject({ accounts: [], public: false });
  });

  it('refuses an account id that is not 12 digits, naming the field and the rule', async () => {
    const res = await send('POST', shares(), { accounts: ['111122223333', 'sim-account'] });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/^body\.accounts\.1: "sim-account" is not an account id of aws; .*12 digits/);
    const caps = await send('GET', `/v1/capabilities?region=${REGION}`);
    expect(caps.json().imageSharing.account).toMatchObject({ pattern: '^[0-9]{12}$' });
  });

  it('answers scope=shared without this account’s own images', async () => {
    const res = await send('GET', `/v1/images?region=${REGION}&scope=shared`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items.map((i: MachineImage) => i.id)).not.toContain(image.id);
  });
});
