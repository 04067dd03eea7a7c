import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimProvider } from '../../providers/sim/sim-provider';
import { startTestApi } from '../support/api';
import { LAUNCH_BODY, leftovers } from '../support/launches';

const body = LAUNCH_BODY;

describe('launches API (HTTP → API → Temporal → worker → activity)', () => {
  let env: Awaited<ReturnType<typeof startTestApi>>;
  beforeAll(async () => {
    env = await startTestApi();
  });
  afterAll(async () => env?.stop());

  async function launchUntilClosed(id: string) {
    for (let i = 0; i < 100; i++) {
      const res = await env.app.inject({ method: 'GET', url: `/v1/launches/${id}` });
      if (res.json().status !== 'running') return res;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`launch ${id} still running`);
  }

  it('accepts a launch with 202 and a status URL, and answers with the server once it is ready', async () => {
    const res = await env.app.inject({ method: 'POST', url: '/v1/launches', payload: body });
    expect(res.statusCode).toBe(202);
    const { id, workflowId, statusUrl } = res.json();
    expect(id).toMatch(/^launch-[0-9a-f-]{36}$/);
    expect(workflowId).toBe(id);
    expect(res.headers.location).toBe(statusUrl);
    const done = await launchUntilClosed(id);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({
      id,
      status: 'completed',
      request: { ...body, readyTimeout: 1200 },
      plan: { image: { id: 'img-simeast1-0003' }, product: { id: 'm1.small' } },
      server: { id: expect.stringMatching(/^i-/), publicIp: expect.any(String) },
      webUiUrl: `http://temporal-ui.test/namespaces/default/workflows/${id}`,
    });
    expect(done.json().steps.map((s: { name: string }) => s.name)).toEqual([
      'preflight',
      'provision',
      'wait-running',
      'wait-ready',
    ]);
  });

  it('hands out a created private key once, then answers 410', async () => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/v1/launches',
      payload: { ...body, keypair: { create: {} } },
    });
    const { id } = res.json();
    expect((await launchUntilClosed(id)).json()).toMatchObject({
      status: 'completed',
      privateKeyAvailable: true,
      keypairName: `mi-${id}`,
    });
    const head = await env.app.inject({ method: 'HEAD', url: `/v1/launches/${id}/private-key` });
    expect(head.statusCode, 'a HEAD (a proxy, curl -I) must not use up the one fetch').not.toBe(200);
    const first = await env.app.inject({ method: 'GET', url: `/v1/launches/${id}/private-key` });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('application/x-pem-file');
    expect(first.body).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    const second = await env.app.inject({ method: 'GET', url: `/v1/launches/${id}/private-key` });
    expect(second.statusCode).toBe(410);
    expect(second.json()).toMatchObject({ code: 'gone', message: expect.stringContaining('once') });
  });

  it('cancels a launch waiting for readiness: 202, then cancelled with nothing left; a second cancel is 409', async () => {
    const sim = env.temporal.provider as SimProvider;
    sim.faults.script({ operation: 'statusChecks', match: { serverName: 'stuck-api' }, impaired: true });
    const { id } = (
      await env.app.inject({
        method: 'POST',
        url: '/v1/launches',
        payload: { ...body, name: 'stuck-api', volumes: { count: 1, sizeGb: 5 } },
      })
    ).json();
    for (let i = 0; i < 100; i++) {
      const view = (await env.app.inject({ method: 'GET', url: `/v1/launches/${id}` })).json();
      if (view.step === 'wait-ready' && view.waitingFor) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const waiting = (await env.app.inject({ method: 'GET', url: `/v1/launches/${id}` })).json();
    expect(waiting.waitingFor).toMatch(/status checks of server i-\w+ are impaired/);
    const cancel = await env.app.inject({ method: 'POST', url: `/v1/launches/${id}/cancel` });
    expect(cancel.statusCode).toBe(202);
    const closed = (await launchUntilClosed(id)).json();
    expect(closed.status).toBe('cancelled');
    expect(await leftovers(sim, id)).toEqual({ servers: [], volumes: [], firewalls: [], keypairs: [] });
    const again = await env.app.inject({ method: 'POST', url: `/v1/launches/${id}/cancel` });
    expect(again.statusCode).toBe(409);
  });

  it('lists launches from visibility, filtered by billing code and state, paged', async () => {
    const billingCode = `bc-${randomUUID().slice(0, 8)}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        (await env.app.inject({ method: 'POST', url: '/v1/launches', payload: { ...body, billingCode } })).json().id,
      );
    await Promise.all(ids.map(launchUntilClosed));
    const page = (
      await env.app.inject({ method: 'GET', url: `/v1/launches?billingCode=${billingCode}&state=completed&limit=2` })
    ).json();
    expect(page.items).toHaveLength(2);
    expect(page.items[0]).toMatchObject({
      status: 'completed',
      billingCode,
      group: 'ops',
      imageId: 'img-simeast1-0003',
      region: 'sim-east-1',
    });
    const rest = (
      await env.app.inject({
        method: 'GET',
        url: `/v1/launches?billingCode=${billingCode}&state=completed&limit=2&cursor=${page.nextCursor}`,
      })
    ).json();
    expect([...page.items, ...rest.items].map((l: { id: string }) => l.id).sort()).toEqual(ids.sort());
    const none = (
      await env.app.inject({ method: 'GET', url: `/v1/launches?billingCode=${billingCode}&state=failed` })
    ).json();
    expect(none.items).toEqual([]);
    const bad = await env.app.inject({ method: 'GET', url: `/v1/launches?billingCode=x'%20OR%201=1` });
    expect(bad.statusCode).toBe(400);
  });

  it('terminates a launched server through DELETE /v1/servers/:id, deleting its volumes', async () => {
    const { id } = (
      await env.app.inject({
        method: 'POST',
        url: '/v1/launches',
        payload: { ...body, volumes: { count: 2, sizeGb: 5, raid: 'raid1' } },
      })
    ).json();
    const launched = (await launchUntilClosed(id)).json();
    const serverId = launched.server.id;
    const servers = (await env.app.inject({ method: 'GET', url: '/v1/servers?region=sim-east-1' })).json();
    expect(servers.items.map((s: { id: string }) => s.id)).toContain(serverId);
    const del = await env.app.inject({ method: 'DELETE', url: `/v1/servers/${serverId}?region=sim-east-1` });
    expect(del.statusCode).toBe(202);
    let operation;
    for (let i = 0; i < 100; i++) {
      operation = (await env.app.inject({ method: 'GET', url: del.json().statusUrl })).json();
      if (operation.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(operation).toMatchObject({
      status: 'completed',
      type: 'terminateServer',
      result: { serverId, deletedVolumeIds: launched.volumes.volumeIds },
    });
    expect(
      (await env.app.inject({ method: 'GET', url: `/v1/servers/${serverId}?region=sim-east-1` })).json().state,
    ).toBe('terminated');
    expect(
      (await env.app.inject({ method: 'DELETE', url: '/v1/servers/i-00000000000000000?region=sim-east-1' })).statusCode,
    ).toBe(404);
  });

  it('lists key pairs and firewalls of a region', async () => {
    const { id } = (
      await env.app.inject({
        method: 'POST',
        url: '/v1/launches',
        payload: {
          ...body,
          keypair: { create: {} },
          firewall: { create: { rules: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' }] } },
        },
      })
    ).json();
    await launchUntilClosed(id);
    const keypairs = (await env.app.inject({ method: 'GET', url: '/v1/keypairs?region=sim-east-1' })).json();
    expect(keypairs.items).toContainEqual(expect.objectContaining({ name: `mi-${id}` }));
    expect(JSON.stringify(keypairs)).not.toContain('PRIVATE');
    const firewalls = (await env.app.inject({ method: 'GET', url: '/v1/firewalls?region=sim-east-1' })).json();
    expect(firewalls.items).toContainEqual(
      expect.objectContaining({
        name: `mi-${id}`,
        rules: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' }],
      }),
    );
  });

  it('rejects invalid volume requests with 400 naming the field and the fix', async () => {
    const cases: [object, string][] = [
      [{ count: 1, sizeGb: 5, raid: 'raid1' }, 'body.volumes.raid: raid1 needs at least 2 disks'],
      [{ count: 3, sizeGb: 5, raid: 'raid10' }, 'body.volumes.raid: raid10 needs at least 4 disks'],
      [{ count: 5, sizeGb: 5, raid: 'raid10' }, 'body.volumes.raid: raid10 needs an even number of disks'],
      [{ count: 2, sizeGb: 5, raid: 'raid5' }, 'body.volumes.raid: raid5 needs at least 3 disks'],
      [{ count: 1, sizeGb: 5, mountPoint: 'data' }, 'body.volumes.mountPoint: mount point "data" is relative'],
      [
        { count: 1, sizeGb: 5, mountPoint: '/boot' },
        'body.volumes.mountPoint: mount point "/boot" belongs to the operating system',
      ],
    ];
    for (const [volumes, message] of cases) {
      const res = await env.app.inject({ method: 'POST', url: '/v1/launches', payload: { ...body, volumes } });
      expect(res.statusCode, JSON.stringify(volumes)).toBe(400);
      expect(res.json().message).toContain(message);
    }
  });

  it('maps Idempotency-Key onto the workflow id: the same request twice is one launch', async () => {
    const key = `k-${randomUUID()}`;
    const first = await env.app.inject({
      method: 'POST',
      url: '/v1/launches',
      payload: body,
      headers: { 'idempotency-key': key },
    });
    await launchUntilClosed(first.json().id);
    // The same fields in another order are the same request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const second = await env.app.inject({
      method: 'POST',
      url: '/v1/launches',
      payload: reordered,
      headers: { 'idempotency-key': key },
    });
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(200);
    expect(second.json().statusUrl).toBe(`/v1/launches/launch-${key}`);
    expect(first.json().id).toBe(`launch-${key}`);
    expect(second.json()).toMatchObject({ id: `launch-${key}`, status: 'completed' });
    expect(await env.temporal.countWorkflows(`WorkflowId = 'launch-${key}'`)).toBe(1);
  });

  it('refuses a reused Idempotency-Key with a different request, with 409', async () => {
    const key = `k-${randomUUID()}`;
    await env.app.inject({ method: 'POST', url: '/v1/launches', payload: body, headers: { 'idempotency-key': key } });
    const res = await env.app.inject({
      method: 'POST',
      url: '/v1/launches',
      payload: { ...body, name: 'web-2' },
      headers: { 'idempotency-key': key },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'idempotency_key_reused',
      message: expect.stringContaining(
        `Idempotency-Key "${key}" already started launch launch-${key} with a different request`,
      ),
    });
  });

  it('rejects bad input with 400, naming each field and what to do, and starts nothing', async () => {
    const before = await env.temporal.countWorkflows();
    const res = await env.app.inject({
      method: 'POST',
      url: '/v1/launches',
      payload: { ...body, name: 'Web_1', product: { cpu: 'two' }, extra: true },
    });
    expect(res.statusCode).toBe(400);
    const error = res.json();
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain('body.name: use 1 to 63 lowercase letters');
    expect(error.message).toContain('body.product: give either {productId} or {cpu, memoryGb, storageGb}');
    expect(await env.temporal.countWorkflows()).toBe(before);
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/v1/launches',
      payload: '{"imageId":',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  it('refuses a launch from an image that does not exist with 404 before starting anything', async () => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/v1/launches',
      payload: { ...body, imageId: 'img-nope' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ code: 'not_found', message: 'image img-nope does not exist' });
  });

  it('shows a failed launch with the reason from its step', async () => {
    // No product of the sim has 448 CPUs: only preflight, which picks the product, can tell.
    const res = await env.app.inject({
      method: 'POST',
      url: '/v1/launches',
      payload: { ...body, product: { cpu: 448, memoryGb: 24576, storageGb: 10 } },
    });
    const done = await launchUntilClosed(res.json().id);
    expect(done.json()).toMatchObject({
      status: 'failed',
      error: { code: 'ProductUnavailable', message: expect.stringMatching(/^a product with 448 CPU/) },
      steps: [
        { name: 'preflight', state: 'failed' },
        { name: 'cleanup', state: 'completed' },
      ],
    });
  });

  it('answers 404 for a launch that does not exist and 400 for an id that cannot be one', async () => {
    const missing = await env.app.inject({ method: 'GET', url: '/v1/launches/launch-never-made' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 'not_found', message: 'launch launch-never-made does not exist' });
    const malformed = await env.app.inject({ method: 'GET', url: '/v1/launches/nope' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().message).toContain('params.id');
  });

  it('serves the OpenAPI document with the launch routes', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).toEqual(
      expect.arrayContaining(['/v1/launches', '/v1/launches/{id}', '/v1/ready']),
    );
  });

  it('documents the private key download as the PEM it sends, not as JSON', async () => {
    const document = (await env.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
    };
    const content = document.paths['/v1/launches/{id}/private-key']?.get?.responses['200']?.content ?? {};
    expect(Object.keys(content)).toEqual(['application/x-pem-file']);
  });

  it('links every answer that starts a workflow to what its id opens, each link to an operation the document has', async () => {
    const document = (await env.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<
        string,
        Record<
          string,
          {
            responses: Record<
              string,
              { links?: Record<string, { operationRef: string; parameters: Record<string, string> }> }
            >;
          }
        >
      >;
    };
    const linked: string[] = [];
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          for (const [name, link] of Object.entries(response.links ?? {})) {
            linked.push(`${method.toUpperCase()} ${path} ${status} ${name}`);
            const [, target, targetMethod] = /^#\/paths\/(.+)\/(\w+)$/.exec(link.operationRef) ?? [];
            expect(
              document.paths[target!.replaceAll('~1', '/').replaceAll('~0', '~')]?.[targetMethod!],
              link.operationRef,
            ).toBeDefined();
            // A firewall's routes take its region too.
            expect(link.parameters).toEqual(
              path === '/v1/firewalls'
                ? { id: '$response.body#/id', 'query.region': '$response.body#/region' }
                : { id: '$response.body#/id' },
            );
          }
        }
      }
    }
    expect(linked).toEqual(
      expect.arrayContaining([
        'POST /v1/launches 202 GetLaunch',
        'POST /v1/launches 202 CancelLaunch',
        'POST /v1/launches 202 GetPrivateKey',
        'POST /v1/images 202 GetOperation',
        'POST /v1/images/{id}/clone 202 GetOperation',
        'DELETE /v1/images/{id} 202 GetOperation',
        'DELETE /v1/servers/{id} 202 GetOperation',
        'POST /v1/reaper/run 202 GetOperation',
        'POST /v1/families/{name}/refresh 202 GetOperation',
        'POST /v1/firewalls 201 AddFirewallRules',
        'POST /v1/firewalls 201 RemoveFirewallRules',
        'POST /v1/firewalls 201 DeleteFirewall',
      ]),
    );
  });
});
