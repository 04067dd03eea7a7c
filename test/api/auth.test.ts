import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { createLogger } from '../../config/logger';
import type { SimProvider } from '../../providers/sim/sim-provider';
import { startTestApi } from '../support/api';
import { bearer, testApiKeys } from '../support/api-keys';
import { startTestWorker } from '../support/temporal';
import { LAUNCH_BODY } from '../support/launches';

const region = 'sim-east-1';

// Who may do what: keys, roles and groups, seen through HTTP.
describe('API keys, roles and groups', () => {
  let env: Awaited<ReturnType<typeof startTestApi>>;
  let sim: SimProvider;
  let opsLaunch: string;
  let opsServer: string;
  let opsImage: string;
  beforeAll(async () => {
    env = await startTestApi();
    sim = env.temporal.provider as SimProvider;
    const launched = await env.app.inject({
      method: 'POST',
      url: '/v1/launches',
      headers: bearer(env.keys.operator),
      payload: LAUNCH_BODY,
    });
    expect(launched.statusCode).toBe(202);
    opsLaunch = launched.json().id;
    const server = await sim.launchServer(region, {
      imageId: LAUNCH_BODY.imageId,
      productId: 'm1.small',
      name: 'ops-box',
      tags: { group: 'ops' },
      clientToken: randomUUID(),
    });
    opsServer = server.id;
    opsImage = (
      await sim.captureImage(region, {
        serverId: server.id,
        name: `ops-image-${randomUUID().slice(0, 8)}`,
        reboot: false,
        tags: { group: 'ops' },
      })
    ).id;
  });
  afterAll(async () => {
    await env?.temporal.client.workflow
      .getHandle(opsLaunch)
      .cancel()
      .catch(() => undefined);
    await env?.stop();
  });

  const as = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    env.app.inject({
      method,
      url,
      headers: token ? bearer(token) : { authorization: '' },
      ...(payload ? { payload } : {}),
    });

  it('answers 401 with a Bearer challenge when no key or an unknown key is sent', async () => {
    const none = await as('', 'GET', '/v1/launches');
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json()).toEqual({ code: 'unauthorized', message: expect.stringContaining('Authorization: Bearer') });
    const unknown = await as('mik_not-a-key', 'GET', '/v1/launches');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().message).toContain('not one this service knows');
    const malformed = await env.app.inject({
      method: 'GET',
      url: '/v1/launches',
      headers: { authorization: 'Basic abc' },
    });
    expect(malformed.statusCode).toBe(401);
  });

  it('lets health, readiness and the API document through without a key', async () => {
    expect((await as('', 'GET', '/v1/health')).statusCode).toBe(200);
    expect((await as('', 'GET', '/docs/json')).statusCode).toBe(200);
    expect((await as('', 'GET', '/v1/ready')).statusCode).not.toBe(401);
  });

  it('documents the bearer scheme and the 401 and 403 answers of every protected route', async () => {
    const doc = (await as('', 'GET', '/docs/json')).json();
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    const launch = doc.paths['/v1/launches'].post;
    expect(launch.security).toEqual([{ apiKey: [] }]);
    expect(Object.keys(launch.responses)).toEqual(expect.arrayContaining(['401', '403', '422', '429']));
    expect(doc.paths['/v1/health'].get.security).toBeUndefined();
  });

  it('refuses a launch from a viewer with 403 naming the role needed, and starts nothing', async () => {
    const key = `viewer-${randomUUID()}`;
    const res = await env.app.inject({
      method: 'POST',
      url: '/v1/launches',
      headers: { ...bearer(env.keys.viewer), 'idempotency-key': key },
      payload: LAUNCH_BODY,
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({
      code: 'forbidden',
      message: expect.stringMatching(/viewer role; POST \/v1\/launches needs the operator or admin role/),
    });
    await expect(env.temporal.client.workflow.getHandle(`launch-${key}`).describe()).rejects.toThrow();
  });

  it('lets a viewer read its group’s launch', async () => {
    const res = await as(env.keys.viewer, 'GET', `/v1/launches/${opsLaunch}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().request.group).toBe('ops');
  });

  it('refuses an operator a launch for a group it does not act for (403)', async () => {
    const res = await as(env.keys.outsider, 'POST', '/v1/launches', LAUNCH_BODY);
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toBe('body.group: outsider does not act for group "ops"; it acts for data');
  });

  it('answers 404 for another group’s launch, server and image, as if they did not exist', async () => {
    for (const url of [
      `/v1/launches/${opsLaunch}`,
      `/v1/servers/${opsServer}?region=${region}`,
      `/v1/images/${opsImage}?region=${region}`,
    ]) {
      const outsider = await as(env.keys.outsider, 'GET', url);
      expect(outsider.statusCode, url).toBe(404);
      expect(outsider.json().code).toBe('not_found');
      expect((await as(env.keys.operator, 'GET', url)).statusCode, url).toBe(200);
    }
    const cancel = await as(env.keys.outsider, 'POST', `/v1/launches/${opsLaunch}/cancel`);
    expect(cancel.statusCode).toBe(404);
    const rename = await as(env.keys.outsider, 'PATCH', `/v1/images/${opsImage}?region=${region}`, {
      name: 'taken-over',
    });
    expect(rename.statusCode).toBe(404);
    const terminate = await as(env.keys.outsider, 'DELETE', `/v1/servers/${opsServer}?region=${region}`);
    expect(terminate.statusCode).toBe(404);
    expect((await sim.getServer(region, opsServer)).state).not.toBe('terminated');
  });

  it('shows an operation only to the groups it acts for', async () => {
    const other = await sim.launchServer(region, {
      imageId: LAUNCH_BODY.imageId,
      productId: 'm1.small',
      name: 'ops-old',
      tags: { group: 'ops' },
      clientToken: randomUUID(),
    });
    const terminating = await as(env.keys.operator, 'DELETE', `/v1/servers/${other.id}?region=${region}`);
    expect(terminating.statusCode).toBe(202);
    const { statusUrl } = terminating.json();
    expect((await as(env.keys.viewer, 'GET', statusUrl)).statusCode).toBe(200);
    expect((await as(env.keys.outsider, 'GET', statusUrl)).statusCode).toBe(404);
  });

  it('answers another group’s thing exactly as one that does not exist', async () => {
    for (const [hidden, missing] of [
      [`/v1/servers/${opsServer}?region=${region}`, `/v1/servers/i-nope?region=${region}`],
      [`/v1/images/${opsImage}?region=${region}`, `/v1/images/img-nope?region=${region}`],
    ]) {
      const a = await as(env.keys.outsider, 'GET', hidden!);
      const b = await as(env.keys.outsider, 'GET', missing!);
      expect([a.statusCode, b.statusCode]).toEqual([404, 404]);
      expect(a.json().code).toBe(b.json().code);
      expect(a.json().message.replace(/ \S+ does not exist/, '')).toBe(
        b.json().message.replace(/ \S+ does not exist/, ''),
      );
    }
  });

  it('refuses a launch from another group’s image, firewall or key pair as if they did not exist', async () => {
    const asData = { ...LAUNCH_BODY, group: 'data' };
    const image = await as(env.keys.outsider, 'POST', '/v1/launches', { ...asData, imageId: opsImage });
    expect(image.statusCode).toBe(404);
    expect(image.json()).toEqual({ code: 'not_found', message: `image ${opsImage} does not exist` });
    const firewall = await sim.createFirewall(region, {
      name: `ops-fw-${randomUUID().slice(0, 8)}`,
      description: 'ops only',
      rules: [],
      tags: { group: 'ops' },
    });
    const viaFirewall = await as(env.keys.outsider, 'POST', '/v1/launches', {
      ...asData,
      firewall: { ids: [firewall.id] },
    });
    expect(viaFirewall.statusCode).toBe(404);
    const listed = await as(env.keys.outsider, 'GET', `/v1/firewalls?region=${region}`);
    expect(listed.json().items.map((f: { id: string }) => f.id)).not.toContain(firewall.id);
    expect(
      (await as(env.keys.viewer, 'GET', `/v1/firewalls?region=${region}`))
        .json()
        .items.map((f: { id: string }) => f.id),
    ).toContain(firewall.id);
  });

  it('names in an image’s in-use refusal only the servers of the caller’s groups', async () => {
    const launchFrom = (group: string) =>
      sim.launchServer(region, {
        imageId: opsImage,
        productId: 'm1.small',
        name: `from-${group}`,
        tags: { group },
        clientToken: randomUUID(),
      });
    const [mine, theirs] = [await launchFrom('ops'), await launchFrom('data')];
    const refused = await as(env.keys.operator, 'DELETE', `/v1/images/${opsImage}?region=${region}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain(mine.id);
    expect(refused.json().message).not.toContain(theirs.id);
    expect(refused.json().message).toContain('1 of other groups');
  });

  it('says only that an Idempotency-Key another group used is taken, not whose launch it is', async () => {
    const key = `shared-${randomUUID()}`;
    const first = await env.app.inject({
      method: 'POST',
      url: '/v1/launches',
      headers: { ...bearer(env.keys.operator), 'idempotency-key': key },
      payload: LAUNCH_BODY,
    });
    expect(first.statusCode).toBe(202);
    await env.temporal.client.workflow.getHandle(first.json().id).cancel();
    const other = await env.app.inject({
      method: 'POST',
      url: '/v1/launches',
      headers: { ...bearer(env.keys.outsider), 'idempotency-key': key },
      payload: { ...LAUNCH_BODY, group: 'data' },
    });
    expect(other.statusCode).toBe(409);
    expect(other.json()).toEqual({
      code: 'idempotency_key_reused',
      message: expect.stringContaining('is already taken'),
    });
    expect(other.body).not.toContain(`launch-${key}`);
  });

  it('answers a path that does not exist 404 to anyone, with or without a key', async () => {
    expect((await as('', 'GET', '/v1/nothing-here')).statusCode).toBe(404);
    expect((await as(env.keys.viewer, 'GET', '/v1/nothing-here')).statusCode).toBe(404);
  });

  it('lists only the caller’s groups’ launches, servers and own images', async () => {
    const launches = await as(env.keys.outsider, 'GET', '/v1/launches?limit=100');
    expect(launches.json().items.map((l: { id: string }) => l.id)).not.toContain(opsLaunch);
    const mine = await as(env.keys.operator, 'GET', '/v1/launches?limit=100');
    expect(mine.json().items.map((l: { id: string }) => l.id)).toContain(opsLaunch);
    const servers = await as(env.keys.outsider, 'GET', `/v1/servers?region=${region}`);
    expect(servers.json().items.map((s: { id: string }) => s.id)).not.toContain(opsServer);
    const images = await as(env.keys.outsider, 'GET', `/v1/images?region=${region}&scope=own&limit=100`);
    expect(images.json().items.map((i: { id: string }) => i.id)).not.toContain(opsImage);
    const ownImages = await as(env.keys.operator, 'GET', `/v1/images?region=${region}&scope=own&limit=100`);
    expect(ownImages.json().items.map((i: { id: string }) => i.id)).toContain(opsImage);
  });

  it('keeps forced deletion and family changes for admins', async () => {
    const force = await as(env.keys.operator, 'DELETE', `/v1/images/${opsImage}?region=${region}&force=true`);
    expect(force.statusCode).toBe(403);
    expect(force.json().message).toContain('only an admin');
    const family = await as(env.keys.operator, 'POST', '/v1/families', {
      name: 'never-made',
      sourceImageId: LAUNCH_BODY.imageId,
      region,
    });
    expect(family.statusCode).toBe(403);
    expect((await as(env.keys.viewer, 'GET', '/v1/families')).statusCode).toBe(200);
  });

  it('sets security headers and no CORS headers unless origins are configured', async () => {
    const res = await env.app.inject({
      method: 'GET',
      url: '/v1/health',
      headers: { origin: 'https://elsewhere.example' },
    });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    // Plain HTTP on loopback or behind a TLS proxy: no upgrade of the console's requests to https.
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    const missing = await env.app.inject({ method: 'GET', url: '/no-such-page' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses a body over 1 MiB with 413 and {code, message}', async () => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/v1/launches',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ ...LAUNCH_BODY, name: 'x'.repeat(1_100_000) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ code: expect.any(String), message: expect.stringContaining('too large') });
    const doc = (await as('', 'GET', '/docs/json')).json();
    expect(Object.keys(doc.paths['/v1/launches'].post.responses)).toEqual(expect.arrayContaining(['413', '415']));
  });

  it('refuses a body of a type it does not read with 415 and {code, message}', async () => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/v1/launches',
      headers: { 'content-type': 'application/xml' },
      payload: '<launch/>',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({ code: expect.any(String), message: expect.any(String) });
  });
});

describe('rate limit', () => {
  let env: Awaited<ReturnType<typeof startTestApi>>;
  beforeAll(async () => {
    env = await startTestApi({ rateLimit: 3 });
  });
  afterAll(async () => env?.stop());

  it('answers 429 with {code, message} and retry-after once a key passes its limit, and counts each key apart', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await env.app.inject({ method: 'GET', url: '/v1/regions', headers: bearer(env.keys.viewer) })).statusCode,
      );
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await env.app.inject({ method: 'GET', url: '/v1/regions', headers: bearer(env.keys.viewer) });
    expect(limited.json()).toEqual({ code: 'rate_limited', message: expect.stringContaining('3 requests a minute') });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(
      (await env.app.inject({ method: 'GET', url: '/v1/regions', headers: bearer(env.keys.operator) })).statusCode,
    ).toBe(200);
  });

  it('never limits the probes: after 500 keyless requests from one address, health, readiness and the docs still answer 200', async () => {
    for (let i = 0; i < 500; i++)
      await env.app.inject({
        method: 'GET',
        url: '/v1/regions',
        headers: { authorization: '' },
        remoteAddress: '192.0.2.50',
      });
    const elsewhere = await env.app.inject({
      method: 'GET',
      url: '/v1/regions',
      headers: { authorization: '' },
      remoteAddress: '192.0.2.50',
    });
    expect(elsewhere.statusCode, 'keyless requests elsewhere stay limited').toBe(429);
    for (const url of ['/v1/health', '/v1/ready', '/docs/json']) {
      for (let i = 0; i < 5; i++) {
        const res = await env.app.inject({
          method: 'GET',
          url,
          headers: { authorization: '' },
          remoteAddress: '192.0.2.50',
        });
        expect(res.statusCode, url).toBe(200);
      }
    }
  });

  it('counts requests with a wrong key against their address, so guessing is limited too', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await env.app.inject({ method: 'GET', url: '/v1/regions', headers: bearer(`mik_guess${i}`) })).statusCode,
      );
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});

describe('request logs', () => {
  it('name the principal and never carry an API key, even at trace level or in a query string', async () => {
    const temporal = await startTestWorker();
    const lines: string[] = [];
    const logger = createLogger({ LOG_LEVEL: 'trace' }, 'api', { write: (line: string) => void lines.push(line) });
    const { apiKeys, sessionKeyring, tokens } = testApiKeys();
    const app = await buildApp({
      config: { ...temporal.config, PROVIDER: 'sim' },
      client: temporal.client,
      provider: temporal.provider,
      keys: temporal.keys,
      logger,
      apiKeys,
      sessionKeyring,
    });
    try {
      const wrong = `mik_${'x'.repeat(43)}`;
      expect((await app.inject({ method: 'GET', url: '/v1/regions', headers: bearer(tokens.admin) })).statusCode).toBe(
        200,
      );
      expect(
        (
          await app.inject({
            method: 'POST',
            url: '/v1/launches',
            headers: bearer(tokens.viewer),
            payload: LAUNCH_BODY,
          })
        ).statusCode,
      ).toBe(403);
      expect((await app.inject({ method: 'GET', url: '/v1/regions', headers: bearer(wrong) })).statusCode).toBe(401);
      // A key in the query string (which the API does not read) is not logged either; the path and other values are.
      await app.inject({
        method: 'GET',
        url: `/v1/images?region=sim-east-1&api_key=${tokens.operator}&Access_Token=${tokens.viewer}`,
        headers: bearer(tokens.admin),
      });
      const text = lines.join('');
      expect(text).toContain('"url":"/v1/images?region=sim-east-1&api_key=[redacted]&Access_Token=[redacted]"');
      expect(text).toContain('"principal":"admin"');
      for (const token of [...Object.values(tokens), wrong]) expect(text).not.toContain(token);
    } finally {
      await app.close();
      await temporal.stop();
    }
  });
});
