import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineImage } from '../../domain/image';
import { SimProvider } from '../../providers/sim/sim-provider';
import { startTestApi } from '../support/api';
import { bearer } from '../support/api-keys';
import { LAUNCH_BODY } from '../support/launches';

const REGION = 'sim-east-1';

// Sharing own images on the sim. A second account (`partner-account`) works over the same simulated cloud, so an
// image it shares with this service's account (sim-account) shows in scope=shared, as another EC2 account's would.
describe('image shares API on the sim', () => {
  let env: Awaited<ReturnType<typeof startTestApi>>;
  let sim: SimProvider;
  let partner: SimProvider;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'image-shares-'));
    const dbFile = path.join(dir, 'sim-cloud.db');
    sim = new SimProvider({ dbFile });
    partner = new SimProvider({ dbFile, account: 'partner-account' });
    env = await startTestApi({ provider: sim });
  });
  afterAll(async () => {
    await env?.stop();
    partner?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const shares = (imageId: string) => `/v1/images/${imageId}/shares?region=${REGION}`;
  const send = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, token?: string) =>
    env.app.inject({
      method,
      url,
      ...(payload ? { payload } : {}),
      ...(token ? { headers: bearer(token) } : {}),
    });

  /** An own image of `cloud`'s account, captured from a server of the first public ubuntu, in group `group`. */
  async function capture(cloud: SimProvider, group = 'ops'): Promise<MachineImage> {
    const run = randomUUID().slice(0, 8);
    const ubuntu = (await cloud.searchPublicImages(REGION, { q: 'ubuntu-24.04-x86_64', limit: 1 })).items[0]!;
    const server = await cloud.launchServer(REGION, {
      imageId: ubuntu.id,
      productId: 'm1.small',
      name: `src-${run}`,
      clientToken: run,
    });
    return cloud.captureImage(REGION, { serverId: server.id, name: `own-${run}`, reboot: false, tags: { group } });
  }

  it('shares an own image with accounts, lists the shares and revokes them, as the group’s operator', async () => {
    const image = await capture(sim);
    const operator = env.keys.operator;
    expect((await send('GET', shares(image.id), undefined, env.keys.viewer)).json()).toEqual({
      imageId: image.id,
      region: REGION,
      accounts: [],
      public: false,
    });
    const shared = await send('POST', shares(image.id), { accounts: ['partner-account', 'audit-account'] }, operator);
    expect(shared.statusCode, shared.body).toBe(200);
    expect(shared.json()).toMatchObject({ accounts: ['audit-account', 'partner-account'], public: false });
    expect((await send('GET', shares(image.id))).json()).toMatchObject({
      accounts: ['audit-account', 'partner-account'],
    });
    expect((await partner.getImage(REGION, image.id)).visibility).toBe('shared');

    const revoked = await send('DELETE', shares(image.id), { accounts: ['partner-account'] }, operator);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json()).toMatchObject({ accounts: ['audit-account'], public: false });
    await expect(partner.getImage(REGION, image.id)).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('makes an image public for an admin only; an operator is told why', async () => {
    const image = await capture(sim);
    const refused = await send('POST', shares(image.id), { public: true }, env.keys.operator);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/^body\.public: .*admin/),
    });
    const made = await send('POST', shares(image.id), { public: true });
    expect(made.statusCode, made.body).toBe(200);
    expect(made.json()).toMatchObject({ accounts: [], public: true });
    expect((await partner.searchPublicImages(REGION, { q: image.name })).items.map((i) => i.id)).toEqual([image.id]);
    // Still this account's own image, in its own listing.
    const own = await send('GET', `/v1/images?region=${REGION}&scope=own&limit=1000`);
    expect(own.json().items.map((i: MachineImage) => i.id)).toContain(image.id);
    expect((await send('DELETE', shares(image.id), { public: true }, env.keys.operator)).statusCode).toBe(403);
    expect((await send('DELETE', shares(image.id), { public: true })).json()).toMatchObject({ public: false });
  });

  it('hides another group’s image from its operators (404) and refuses viewers (403)', async () => {
    const image = await capture(sim, 'ops');
    const outsider = await send('POST', shares(image.id), { accounts: ['partner-account'] }, env.keys.outsider);
    expect(outsider.statusCode).toBe(404);
    expect((await send('GET', shares(image.id), undefined, env.keys.outsider)).statusCode).toBe(404);
    const viewer = await send('POST', shares(image.id), { accounts: ['partner-account'] }, env.keys.viewer);
    expect(viewer.statusCode).toBe(403);
  });

  it('refuses bad requests with 400 naming the field', async () => {
    const image = await capture(sim);
    const cases: [object, RegExp][] = [
      [{ accounts: ['Not An Account'] }, /^body\.accounts\.0: "Not An Account" is not an account id of sim/],
      [{ accounts: Array.from({ length: 101 }, (_, i) => `account-${i}`) }, /body\.accounts.*100/],
      [{ accounts: ['x'.repeat(65)] }, /body\.accounts\.0/],
      [{}, /body\.accounts: name accounts/],
      [{ public: false }, /body\.accounts: name accounts/],
      [{ public: 'yes' }, /body\.public/],
    ];
    for (const [payload, message] of cases) {
      const res = await send('POST', shares(image.id), payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().message).toMatch(message);
    }
    expect((await send('POST', shares('img-0000'), { accounts: ['partner-account'] })).statusCode).toBe(404);
  });

  it('lists in scope=shared an image another account shared with this one, which cannot be shared on', async () => {
    const theirs = await capture(partner, 'partner-team');
    // Not shared yet: this account's cloud does not show it (asked directly, as the API caches listings for 30 s).
    expect((await sim.listSharedImages(REGION)).items.map((i) => i.id)).not.toContain(theirs.id);
    await expect(sim.getImage(REGION, theirs.id)).rejects.toMatchObject({ code: 'NotFound' });
    await partner.shareImage(REGION, theirs.id, { accounts: ['sim-account'] });
    const res = await send('GET', `/v1/images?region=${REGION}&scope=shared`, undefined, env.keys.viewer);
    expect(res.statusCode, res.body).toBe(200);
    const found = res.json().items.find((i: MachineImage) => i.id === theirs.id);
    expect(found).toMatchObject({ visibility: 'shared', ownerId: 'partner-account' });
    const own = await send('GET', `/v1/images?region=${REGION}&scope=own&limit=1000`);
    expect(own.json().items.map((i: MachineImage) => i.id)).not.toContain(theirs.id);
    // Any group of ours may launch from it: the server runs from the other account's image.
    const launch = await send(
      'POST',
      '/v1/launches',
      { ...LAUNCH_BODY, imageId: theirs.id, name: 'from-shared' },
      env.keys.operator,
    );
    expect(launch.statusCode, launch.body).toBe(202);
    let done: { status: string; server?: { id: string } } = { status: 'running' };
    for (let i = 0; i < 100 && done.status === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      done = (await send('GET', `/v1/launches/${launch.json().id}`)).json();
    }
    expect(done.status).toBe('completed');
    expect((await sim.getServer(REGION, done.server!.id)).imageId).toBe(theirs.id);
    const reshare = await send('POST', shares(theirs.id), { accounts: ['audit-account'] });
    expect(reshare.statusCode).toBe(409);
    expect(reshare.json()).toMatchObject({
      code: 'not_own_image',
      message: expect.stringContaining('partner-account'),
    });
  });
});
