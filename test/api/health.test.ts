import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { injectWithKey, testApiKeys } from '../support/api-keys';
import { startTestWorker } from '../support/temporal';

describe('health and readiness', () => {
  let env: Awaited<ReturnType<typeof startTestWorker>>;
  beforeAll(async () => {
    env = await startTestWorker();
  });
  afterAll(async () => env?.stop());

  const { apiKeys, tokens } = testApiKeys();
  const appFor = async (taskQueue: string) => {
    const app = await buildApp({
      config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, PROVIDER: 'sim' },
      client: env.client,
      provider: env.provider,
      keys: env.keys,
      logger: pino({ level: 'silent' }),
      apiKeys,
    });
    injectWithKey(app, tokens.admin);
    return app;
  };

  it('is live without asking anything else', async () => {
    const app = await appFor('any');
    const res = await app.inject({ method: 'GET', url: '/v1/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('is ready when Temporal answers and a worker polls the task queue', async () => {
    const app = await appFor(env.config.TEMPORAL_TASK_QUEUE);
    const res = await app.inject({ method: 'GET', url: '/v1/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ready', checks: { temporal: 'ok', worker: 'ok' } });
  });

  it('is not ready, with 503 and what to do, when no worker polls the task queue', async () => {
    const queue = `nobody-${randomUUID()}`;
    const app = await appFor(queue);
    const res = await app.inject({ method: 'GET', url: '/v1/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'not_ready', checks: { temporal: 'ok', worker: 'absent' }, message: expect.stringContaining(queue) });
  });

  it('answers unknown routes with a 404 body in the API error shape', async () => {
    const app = await appFor('any');
    const res = await app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'not_found', message: expect.stringContaining('/v1/nothing-here') });
  });

  it('answers 503 worker_unavailable, not 500, for a running launch no worker answers for', async () => {
    const app = await appFor(`nobody-${randomUUID()}`);
    const accepted = await app.inject({
      method: 'POST',
      url: '/v1/launches',
      payload: { imageId: 'img-simeast1-0003', name: 'web-1', region: 'sim-east-1', product: { productId: 'm1.small' }, group: 'ops', billingCode: 'ops-7' },
    });
    expect(accepted.statusCode).toBe(202);
    const res = await app.inject({ method: 'GET', url: accepted.json().statusUrl });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'worker_unavailable', message: expect.stringContaining('GET /v1/ready') });
    await env.client.workflow.getHandle(accepted.json().id).terminate('test cleanup');
  });
});
