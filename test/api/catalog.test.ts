import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/api';

describe('catalog API (answers from the configured provider)', () => {
  let env: Awaited<ReturnType<typeof startTestApi>>;
  beforeAll(async () => {
    env = await startTestApi();
  });
  afterAll(async () => env?.stop());
  const get = (url: string) => env.app.inject({ method: 'GET', url });

  it('lists regions with their zones', async () => {
    const res = await get('/v1/regions');
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toContainEqual({ id: 'sim-east-1', zones: ['sim-east-1a', 'sim-east-1b', 'sim-east-1c'] });
  });

  it("says what the region's cloud can do, and refuses a region it does not have, naming it", async () => {
    const res = await get('/v1/capabilities?region=sim-east-1');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      provider: 'sim',
      region: 'sim-east-1',
      publicLibrary: true,
      blockEncryption: true,
      ipv6Firewall: true,
      captureFrom: expect.arrayContaining(['running', 'stopped']),
      maxVolumesPerServer: expect.any(Number),
      naming: { image: { maxLength: expect.any(Number), hint: expect.any(String) } },
    });
    const unknown = await get('/v1/capabilities?region=nowhere-1');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toContain('nowhere-1');
    expect((await get('/v1/capabilities')).json()).toMatchObject({ code: 'invalid_request' });
  });

  it('lists the products of a region, and only those that fit, smallest first', async () => {
    const all = await get('/v1/products?region=sim-east-1&architecture=arm64');
    expect(all.statusCode).toBe(200);
    expect(all.json().items.every((p: { architecture: string }) => p.architecture === 'arm64')).toBe(true);
    const fit = await get('/v1/products?region=sim-east-1&architecture=x86_64&cpu=2&memoryGb=8');
    expect(fit.json().items[0]).toMatchObject({ id: 'm1.large', cpuCount: 4, memoryGb: 16 });
  });

  it('searches the public library by name and architecture, paged', async () => {
    const first = await get('/v1/images?region=sim-east-1&scope=public&q=ubuntu&architecture=arm64&limit=2');
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page.items).toHaveLength(2);
    for (const image of page.items)
      expect(image).toMatchObject({
        architecture: 'arm64',
        visibility: 'public',
        name: expect.stringContaining('ubuntu'),
      });
    const next = await get(
      `/v1/images?region=sim-east-1&q=ubuntu&architecture=arm64&limit=2&cursor=${page.nextCursor}`,
    );
    expect(next.json().items.map((i: { id: string }) => i.id)).not.toContain(page.items[0].id);
  });

  it('lists own images (none yet on a new cloud)', async () => {
    const res = await get('/v1/images?region=sim-east-1&scope=own');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [] });
  });

  it('answers bad input with 400 naming the field: a missing region, an unknown one, a bad cursor', async () => {
    const missing = await get('/v1/images?scope=public');
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toContain('querystring.region');
    const unknown = await get('/v1/products?region=mars-1');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('region mars-1 does not exist'),
    });
    const cursor = await get('/v1/images?region=sim-east-1&cursor=garbage');
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().message).toContain('cursor');
  });
});
