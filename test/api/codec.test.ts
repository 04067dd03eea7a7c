import { defaultPayloadConverter } from '@temporalio/common';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { webUiOrigins } from '../../api/routes/codec';
import { KEY_ID_METADATA } from '../../secrets/payload-codec';
import { startTestApi } from '../support/api';
import { testApiKeys } from '../support/api-keys';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const UI = 'http://temporal-ui.test';
const original = {
  metadata: { encoding: b64('json/plain') },
  data: b64(JSON.stringify({ passphrase: 'correct horse' })),
};

describe('codec endpoint (Temporal remote codec protocol)', () => {
  let api: Awaited<ReturnType<typeof startTestApi>>;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => api?.stop());

  const post = (direction: 'encode' | 'decode', payloads: unknown[], headers: Record<string, string> = {}) =>
    api.app.inject({
      method: 'POST',
      url: `/codec/${direction}`,
      payload: { payloads },
      headers: { 'x-namespace': 'default', ...headers },
    });

  it('encodes then decodes back to the original, as admin', async () => {
    const encoded = await post('encode', [original]);
    expect(encoded.statusCode).toBe(200);
    const [sealed] = encoded.json().payloads;
    expect(Buffer.from(sealed.metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(sealed.metadata[KEY_ID_METADATA], 'base64').toString()).toBe('test-1');
    expect(Buffer.from(sealed.data, 'base64').toString()).not.toContain('correct horse');

    const decoded = await post('decode', [sealed, original]);
    expect(decoded.statusCode).toBe(200);
    expect(decoded.json()).toEqual({ payloads: [original, original] });
  });

  it('lets a browser session decode, as the Web UI does with "include cross-origin credentials", for admins only', async () => {
    const open = async (token: string) => {
      const res = await api.app.inject({
        method: 'POST',
        url: '/v1/session',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(200);
      const setCookie = String(res.headers['set-cookie']);
      return { cookie: setCookie.split(';')[0]!, setCookie, body: res.json() };
    };
    const admin = await open(api.keys.admin);
    expect(admin.body).toEqual({ principal: 'admin', role: 'admin', groups: 'all' });
    expect(admin.setCookie, 'a session cookie: it ends with the browser').toMatch(
      /^mi_session=[\w-]+\.[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    const sealed = (await post('encode', [original])).json().payloads;
    const withCookie = (cookie: string) => post('decode', sealed, { authorization: '', cookie });
    expect((await withCookie(admin.cookie)).json()).toEqual({ payloads: [original] });

    const viewer = await open(api.keys.viewer);
    expect(viewer.body.role).toBe('viewer');
    expect(viewer.setCookie, 'no session for whom the codec would refuse anyway').toBe('undefined');
    // The cookie opens the codec only: every other route still wants the bearer key.
    expect(
      (
        await api.app.inject({
          method: 'GET',
          url: '/v1/launches',
          headers: { authorization: '', cookie: admin.cookie },
        })
      ).statusCode,
    ).toBe(401);

    const closed = await api.app.inject({
      method: 'DELETE',
      url: '/v1/session',
      headers: { authorization: '', cookie: admin.cookie },
    });
    expect(closed.statusCode).toBe(204);
    expect(String(closed.headers['set-cookie'])).toContain('Max-Age=0');
    // Signed out, the Web UI gets the payloads back as they are stored: shown encrypted, with no error banner.
    const after = await withCookie(admin.cookie);
    expect(after.statusCode).toBe(200);
    expect(after.json()).toEqual({ payloads: sealed });
  });

  it('decodes what the workers and clients encrypted', async () => {
    const [sealed] = await api.temporal.payloadCodecs[0]!.encode([
      defaultPayloadConverter.toPayload({ step: 'encrypt' }),
    ]);
    const wire = {
      metadata: Object.fromEntries(
        Object.entries(sealed!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(sealed!.data!).toString('base64'),
    };
    const decoded = await post('decode', [wire]);
    expect(JSON.parse(Buffer.from(decoded.json().payloads[0].data, 'base64').toString())).toEqual({ step: 'encrypt' });
  });

  it('answers 422 naming the key id when a payload is sealed under a key it does not hold', async () => {
    const foreign = {
      metadata: { encoding: b64('binary/encrypted'), [KEY_ID_METADATA]: b64('retired-7') },
      data: b64('x'.repeat(40)),
    };
    const res = await post('decode', [foreign]);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'decode_failed', message: expect.stringContaining('key "retired-7"') });
  });

  it('answers 400 naming the field for a body that is not the protocol', async () => {
    const res = await post('decode', [{ metadata: { encoding: 'not base64!' } }]);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('body.payloads.0.metadata.encoding');
  });

  it('decodes for admins only: anyone without a key gets the payloads as sent; a key of another role is refused', async () => {
    const sealed = (await post('encode', [original])).json().payloads;
    const anonymous = await post('decode', sealed, { authorization: '' });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.json()).toEqual({ payloads: sealed });
    expect(JSON.stringify(anonymous.json())).not.toContain(original.data);
    const viewer = await post('decode', sealed, { authorization: `Bearer ${api.keys.viewer}` });
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json()).toMatchObject({ code: 'forbidden', message: expect.stringContaining('admin role') });
    const unknown = await post('decode', sealed, { authorization: 'Bearer mik_not-a-key' });
    expect(unknown.statusCode).toBe(401);
    const operator = await post('encode', [original], { authorization: `Bearer ${api.keys.operator}` });
    expect(operator.statusCode).toBe(403);
    const nobody = await post('encode', [original], { authorization: '' });
    expect(nobody.statusCode).toBe(401);
  });

  it('answers the Web UI’s CORS preflight, with credentials, and no other origin’s', async () => {
    const preflight = (origin: string, url = '/codec/decode') =>
      api.app.inject({
        method: 'OPTIONS',
        url,
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace,authorization',
          authorization: '',
        },
      });
    const fromUi = await preflight(UI);
    expect(fromUi.statusCode).toBe(204);
    expect(fromUi.headers).toMatchObject({
      'access-control-allow-origin': UI,
      'access-control-allow-credentials': 'true',
    });
    expect(String(fromUi.headers['access-control-allow-headers']).split(/,\s*/)).toEqual(
      expect.arrayContaining(['content-type', 'x-namespace', 'authorization']),
    );
    expect(String(fromUi.headers['access-control-allow-methods'])).toContain('POST');

    const fromElsewhere = await preflight('http://evil.test');
    expect(fromElsewhere.headers['access-control-allow-origin']).toBeUndefined();
    // The policy is the codec's own: the rest of the API does not open to the Web UI.
    const otherRoute = await preflight(UI, '/v1/launches');
    expect(otherRoute.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('lets the Web UI read the answer of an authorized request', async () => {
    const res = await post('decode', [original], { origin: UI });
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': UI,
      'access-control-allow-credentials': 'true',
    });
  });

  it('keeps its own CORS policy when the app opens other routes to other origins (CORS_ORIGINS)', async () => {
    const { apiKeys, sessionKeyring, tokens } = testApiKeys();
    const app = await buildApp({
      config: { ...api.temporal.config, PROVIDER: 'sim', CORS_ORIGINS: 'http://console.test' },
      client: api.temporal.client,
      provider: api.temporal.provider,
      keys: api.temporal.keys,
      logger: pino({ level: 'silent' }),
      webUiUrl: UI,
      apiKeys,
      sessionKeyring,
    });
    try {
      const preflight = (origin: string) =>
        app.inject({
          method: 'OPTIONS',
          url: '/codec/decode',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization',
          },
        });
      expect((await preflight(UI)).headers['access-control-allow-origin']).toBe(UI);
      expect((await preflight('http://console.test')).headers['access-control-allow-origin']).toBeUndefined();
      const res = await app.inject({
        method: 'POST',
        url: '/codec/decode',
        payload: { payloads: [original] },
        headers: { origin: UI, authorization: `Bearer ${tokens.admin}` },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(UI);
    } finally {
      await app.close();
    }
  });

  it('is documented in the OpenAPI document: decoding with a key or without, encoding with one', async () => {
    const doc = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/codec/decode', '/codec/encode']));
    expect(doc.paths['/codec/decode'].post).toMatchObject({ tags: ['codec'], security: [{ apiKey: [] }, {}] });
    expect(doc.paths['/codec/encode'].post).toMatchObject({ tags: ['codec'], security: [{ apiKey: [] }] });
    expect(Object.keys(doc.paths['/codec/decode'].post.responses)).toEqual(
      expect.arrayContaining(['200', '401', '403', '422']),
    );
  });
});

describe('the Web UI origins the codec allows', () => {
  it('are the configured one and, for loopback, the same with localhost and 127.0.0.1 swapped', () => {
    expect(webUiOrigins('http://127.0.0.1:8233')).toEqual(['http://127.0.0.1:8233', 'http://localhost:8233']);
    expect(webUiOrigins('http://localhost:8080/')).toEqual(['http://localhost:8080', 'http://127.0.0.1:8080']);
    expect(webUiOrigins('https://temporal.example.com/ui')).toEqual(['https://temporal.example.com']);
    expect(webUiOrigins(undefined)).toEqual([]);
    expect(() => webUiOrigins('temporal-ui:8080')).toThrow('(TEMPORAL_UI_URL) is not an http(s) URL');
  });
});
