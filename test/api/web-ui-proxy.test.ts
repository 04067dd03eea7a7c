import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnDefaultsScript } from '../../api/routes/web-ui';
import { startTestApi } from '../support/api';

// The API's reverse proxy to the Temporal Web UI (api/routes/web-ui.ts), against a real HTTP server on loopback that
// stands where the UI server would and records what reaches it. The real UI behind it is test/console/web-ui-codec.
describe('the Web UI served under /temporal', () => {
  let api: Awaited<ReturnType<typeof startTestApi>>;
  let upstream: Server;
  const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    upstream = createServer((request, response) => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
      if (String(request.headers.accept).includes('text/html')) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end('<!doctype html><html><head><title>Temporal</title></head><body>ui</body></html>');
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"ok":true}');
      }
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    api = await startTestApi({ webUiUpstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
  });
  afterAll(async () => {
    await api?.stop();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  it('passes pages and their calls through, without the console’s session or an API key', async () => {
    seen.length = 0;
    const page = await api.app.inject({
      method: 'GET',
      url: '/temporal/namespaces/default/workflows',
      headers: {
        authorization: '',
        accept: 'text/html',
        'accept-encoding': 'gzip',
        cookie: 'mi_session=secret-session; _csrf=abc',
      },
    });
    expect(page.statusCode).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/temporal/namespaces/default/workflows' });
    expect(seen[0]!.headers.cookie).toBe('_csrf=abc');
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(seen[0]!.headers['accept-encoding'], 'a page is asked for uncompressed').toBeUndefined();
    // The workflow list's default columns, seeded into the page; the UI's inline scripts allowed.
    expect(page.body).toContain(`<head>${columnDefaultsScript('default')}<title>`);
    expect(String(page.headers['content-security-policy'])).toMatch(/script-src 'self' 'unsafe-inline'/);

    const call = await api.app.inject({
      method: 'GET',
      url: '/temporal/api/v1/namespaces/default/workflows?query=',
      headers: { accept: 'application/json', 'accept-encoding': 'gzip' },
    });
    expect(call.json()).toEqual({ ok: true });
    expect(seen[1]!.headers.authorization, 'the admin key the test sends stays here').toBeUndefined();
    expect(seen[1]!.headers['accept-encoding']).toBe('gzip');
  });

  it('lets only admins change workflows through it, and answers the others before the UI server sees them', async () => {
    seen.length = 0;
    const terminate = '/temporal/api/v1/namespaces/default/workflows/launch-x/terminate';
    const anonymous = await api.app.inject({ method: 'POST', url: terminate, headers: { authorization: '' } });
    expect(anonymous.statusCode).toBe(403);
    expect(anonymous.json()).toMatchObject({ code: 'forbidden', message: expect.stringContaining('admins') });
    const viewer = await api.app.inject({
      method: 'POST',
      url: terminate,
      headers: { authorization: `Bearer ${api.keys.viewer}` },
    });
    expect(viewer.statusCode).toBe(403);
    expect(seen).toHaveLength(0);
    const admin = await api.app.inject({ method: 'POST', url: terminate, payload: {} });
    expect(admin.statusCode).toBe(200);
    expect(seen.map((s) => s.method)).toEqual(['POST']);
  });

  it('is not part of the API’s documentation', async () => {
    const doc = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: object };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/temporal'))).toEqual([]);
    expect(Object.keys(doc.paths)).toContain('/v1/launches');
  });

  it('seeds columns in a script no namespace name can break out of', () => {
    const script = columnDefaultsScript('</script><script>alert(1)</script>');
    expect(script.match(/<\/script>/g)).toHaveLength(1);
    expect(script).toContain('"ImageId"');
  });
});
