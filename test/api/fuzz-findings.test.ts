import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { familyScheduleId } from '../../domain/families';
import { startTestApi } from '../support/api';
import { LAUNCH_BODY } from '../support/launches';

// What the schemathesis run (fuzz.test.ts) found, one test each, over real HTTP where the finding needs the HTTP parser.
describe('findings of the API fuzz run', () => {
  let api: Awaited<ReturnType<typeof startTestApi>>;
  let baseUrl: string;
  /** Over a socket: fetch() refuses TRACE, and inject() skips the HTTP parser. */
  const send = (method: string, url: string) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: () => unknown }>(
      (resolve, reject) => {
        const req = request(
          `${baseUrl}${url}`,
          { method, headers: { authorization: `Bearer ${api.keys.admin}` } },
          (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, headers: res.headers, json: () => JSON.parse(body) }),
            );
          },
        );
        req.on('error', reject);
        req.end();
      },
    );

  beforeAll(async () => {
    api = await startTestApi();
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
  });
  /** Families made here: the dev server is shared, so each schedule is deleted after. */
  const families = new Set<string>();
  const family = (overrides: object = {}) => {
    const name = `fz-${randomUUID().slice(0, 8)}`;
    families.add(name);
    return {
      name,
      source: { namePattern: 'ubuntu-*' },
      regions: ['sim-east-1'],
      retention: { keepNewest: 1 },
      schedule: { every: '1h' },
      ...overrides,
    };
  };
  afterAll(async () => {
    for (const name of families) {
      await api?.temporal.client.schedule
        .getHandle(familyScheduleId(name))
        .delete()
        .catch((err: unknown) => {
          if (!(err instanceof ScheduleNotFoundError)) throw err;
        });
    }
    await api?.stop();
  });

  it('answers a launch cursor it did not hand out with 400 naming cursor, at once (it was a 500 after 20 s of retries)', async () => {
    for (const cursor of [
      '0'.repeat(1000),
      'garbage',
      Buffer.from('{"CloseTime":"2020-01-01T00:00:00Z","RunID":"x"}').toString('base64url'),
    ]) {
      const started = Date.now();
      const res = await api.app.inject({ method: 'GET', url: `/v1/launches?limit=1&cursor=${cursor}` });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toEqual({ code: 'invalid_request', message: expect.stringContaining('querystring.cursor') });
      expect(Date.now() - started).toBeLessThan(5_000);
    }
  });

  it('pages launches with the cursor it hands out, and refuses it under other filters', async () => {
    const billingCode = `fz-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 2; i++)
      expect(
        (await api.app.inject({ method: 'POST', url: '/v1/launches', payload: { ...LAUNCH_BODY, billingCode } }))
          .statusCode,
      ).toBe(202);
    let cursor: string | undefined;
    await expect
      .poll(
        async () =>
          (cursor = (
            await api.app.inject({ method: 'GET', url: `/v1/launches?billingCode=${billingCode}&limit=1` })
          ).json().nextCursor),
        { timeout: 10_000 },
      )
      .toEqual(expect.any(String));
    const next = await api.app.inject({
      method: 'GET',
      url: `/v1/launches?billingCode=${billingCode}&limit=1&cursor=${cursor}`,
    });
    expect(next.statusCode, next.body).toBe(200);
    expect(next.json().items).toHaveLength(1);
    const other = await api.app.inject({
      method: 'GET',
      url: `/v1/launches?billingCode=${billingCode}-other&limit=1&cursor=${cursor}`,
    });
    expect(other.statusCode).toBe(400);
    expect(other.json().message).toContain('querystring.cursor');
  });

  it('answers a known path asked with a method it lacks 405 with Allow (it was 404, or 400 for QUERY), and OPTIONS 204', async () => {
    for (const [method, url, allowed] of [
      ['TRACE', '/v1/families', ['GET', 'HEAD', 'POST']],
      ['PUT', '/v1/launches/launch-abc', ['GET', 'HEAD']],
      ['QUERY', '/v1/launches/launch-abc/cancel', ['POST']],
    ] as const) {
      const res = await send(method, url);
      expect(res.status, `${method} ${url}`).toBe(405);
      expect(String(res.headers.allow).split(', ').sort()).toEqual([...allowed].sort());
      expect(res.json()).toEqual({
        code: 'method_not_allowed',
        message: expect.stringContaining(`${method} is not allowed on ${url}`),
      });
    }
    const options = await send('OPTIONS', '/v1/images/img-1');
    expect(options.status).toBe(204);
    expect(options.headers.allow).toContain('PATCH');
    expect((await send('TRACE', '/v1/nothing-here')).status).toBe(404);
  });

  it('documents the 204 of DELETE /v1/families/:name as no body, as it answers (it was documented as JSON)', async () => {
    const payload = family();
    const { name } = payload;
    expect((await api.app.inject({ method: 'POST', url: '/v1/families', payload })).statusCode).toBe(201);
    const deleted = await api.app.inject({ method: 'DELETE', url: `/v1/families/${name}` });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    const doc = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.paths['/v1/families/{name}'].delete.responses['204']).toEqual({ description: 'No Content' });
  });

  it('routes ids up to the longest the API hands out, and answers a longer path segment 400 as {code, message} (it was Fastify’s 414)', async () => {
    const key = 'k'.repeat(100);
    const started = await api.app.inject({
      method: 'POST',
      url: '/v1/launches',
      payload: LAUNCH_BODY,
      headers: { 'idempotency-key': key },
    });
    expect(started.statusCode, started.body).toBe(202);
    expect((await api.app.inject({ method: 'GET', url: `/v1/launches/launch-${key}` })).statusCode).toBe(200);
    expect(
      (await api.app.inject({ method: 'GET', url: `/v1/operations/delete-image-${'i'.repeat(120)}` })).statusCode,
    ).toBe(404);
    for (const url of [`/v1/families/${'f'.repeat(300)}`, '/v1/families/%E0%A4%A']) {
      const res = await api.app.inject({ method: 'DELETE', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toEqual({ code: 'invalid_request', message: expect.stringMatching(/^params: /) });
    }
  });

  it('answers a dry run whose source matches nothing in a region with its plan, naming why (it was a 502)', async () => {
    const payload = family({ source: { namePattern: 'no-such-image-*' } });
    expect((await api.app.inject({ method: 'POST', url: '/v1/families', payload })).statusCode).toBe(201);
    const res = await api.app.inject({ method: 'POST', url: `/v1/families/${payload.name}/refresh?dryRun=true` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      family: payload.name,
      dryRun: true,
      regions: [{ region: 'sim-east-1', errors: [expect.stringContaining('no-such-image-*')] }],
    });
  });

  it('refuses a family in a region the cloud does not have, on POST and PATCH, with 400 naming body.regions (it was taken)', async () => {
    const refused = await api.app.inject({
      method: 'POST',
      url: '/v1/families',
      payload: family({ regions: ['sim-east-1', 'mars-1'] }),
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({
      code: 'invalid_request',
      message: expect.stringContaining('body.regions: "mars-1" is not a region of sim'),
    });
    const payload = family();
    expect((await api.app.inject({ method: 'POST', url: '/v1/families', payload })).statusCode).toBe(201);
    const patched = await api.app.inject({
      method: 'PATCH',
      url: `/v1/families/${payload.name}`,
      payload: { regions: ['nowhere'] },
    });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().message).toContain('"nowhere" is not a region');
  });

  it('answers a request line over 16 KiB with 431 as {code, message}, documented on every operation (it was Fastify’s own body)', async () => {
    const res = await send('GET', `/v1/images?region=sim-east-1&cursor=${'%F0%9F%98%8D'.repeat(2000)}`);
    expect(res.status).toBe(431);
    expect(res.json()).toEqual({
      code: 'headers_too_large',
      message: expect.stringContaining('shorten the query string'),
    });
    const doc = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.paths['/v1/images'].get.responses['431']).toBeDefined();
    expect(doc.paths['/v1/launches'].post.responses['431']).toBeDefined();
  });
});
