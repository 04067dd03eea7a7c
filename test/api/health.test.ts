import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { startTestWorker } from '../support/temporal';

describe('health and readiness', () => {
  let env: Awaited<ReturnType<typeof startTestWorker>>;
  beforeAll(async () => {
    env = await startTestWorker();
  });
  afterAll(async () => env?.stop());

  const appFor = (taskQueue: string) =>
    buildApp({ config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, PROVIDER: 'sim' }, client: env.client, logger: pino({ level: 'silent' }) });

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
});
