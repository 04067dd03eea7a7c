import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/api';

const body = {
  imageId: 'img-simeast1-0003',
  name: 'web-1',
  region: 'sim-east-1',
  product: { cpu: 1, memoryGb: 2, storageGb: 10 },
  group: 'ops',
  billingCode: 'ops-7',
};

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

  it('accepts a launch with 202 and a URL, and answers with its plan once preflight is done', async () => {
    const res = await env.app.inject({ method: 'POST', url: '/v1/launches', payload: body });
    expect(res.statusCode).toBe(202);
    const { id, url } = res.json();
    expect(id).toMatch(/^launch-[0-9a-f-]{36}$/);
    expect(res.headers.location).toBe(url);
    const done = await launchUntilClosed(id);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({
      id,
      status: 'completed',
      request: body,
      plan: { image: { id: 'img-simeast1-0003' }, product: { id: 'm1.small' } },
      steps: [{ name: 'preflight', status: 'completed' }],
    });
  });

  it('maps Idempotency-Key onto the workflow id: the same request twice is one launch', async () => {
    const key = `k-${randomUUID()}`;
    const first = await env.app.inject({ method: 'POST', url: '/v1/launches', payload: body, headers: { 'idempotency-key': key } });
    await launchUntilClosed(first.json().id);
    // The same fields in another order are the same request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const second = await env.app.inject({ method: 'POST', url: '/v1/launches', payload: reordered, headers: { 'idempotency-key': key } });
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(200);
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
    expect(res.json()).toMatchObject({ code: 'idempotency_key_reused', message: expect.stringContaining(key) });
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
    const res = await env.app.inject({ method: 'POST', url: '/v1/launches', payload: '{"imageId":', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  it('shows a failed launch with the reason from its step', async () => {
    const res = await env.app.inject({ method: 'POST', url: '/v1/launches', payload: { ...body, imageId: 'img-nope' } });
    const done = await launchUntilClosed(res.json().id);
    expect(done.json()).toMatchObject({
      status: 'failed',
      error: { code: 'NotFound', message: 'image img-nope does not exist in region sim-east-1' },
      steps: [{ name: 'preflight', status: 'failed' }],
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
    expect(Object.keys(res.json().paths)).toEqual(expect.arrayContaining(['/v1/launches', '/v1/launches/{id}', '/v1/ready']));
  });
});
