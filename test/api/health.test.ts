import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { SimProvider } from '../../providers/sim/sim-provider';
import { injectWithKey, testApiKeys } from '../support/api-keys';
import { startTestWorker } from '../support/temporal';
import { untilWaitHeartbeats } from '../support/launches';

describe('health and readiness', () => {
  let env: Awaited<ReturnType<typeof startTestWorker>>;
  beforeAll(async () => {
    env = await startTestWorker();
  });
  afterAll(async () => env?.stop());

  const { apiKeys, sessionKeyring, tokens } = testApiKeys();
  const appFor = async (taskQueue: string) => {
    const app = await buildApp({
      config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, PROVIDER: 'sim' },
      client: env.client,
      provider: env.provider,
      keys: env.keys,
      logger: pino({ level: 'silent' }),
      apiKeys,
      sessionKeyring,
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
    expect(res.json()).toMatchObject({
      code: 'not_ready',
      checks: { temporal: 'ok', worker: 'absent' },
      message: expect.stringContaining(queue),
    });
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
      payload: {
        imageId: 'img-simeast1-0003',
        name: 'web-1',
        region: 'sim-east-1',
        product: { productId: 'm1.small' },
        group: 'ops',
        billingCode: 'ops-7',
      },
    });
    expect(accepted.statusCode).toBe(202);
    const res = await app.inject({ method: 'GET', url: accepted.json().statusUrl });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'worker_unavailable', message: expect.stringContaining('GET /v1/ready') });
    await env.client.workflow.getHandle(accepted.json().id).terminate('test cleanup');
  });

  it('shows a waiting launch read again without asking a worker, while its history has not grown', async () => {
    // A worker of its own, which parks the launch in the readiness wait and then goes away.
    const sim = new SimProvider();
    sim.faults.script({ operation: 'statusChecks', impaired: true });
    const parking = await startTestWorker({ provider: sim });
    const app = await appFor(parking.config.TEMPORAL_TASK_QUEUE);
    let launchId: string | undefined;
    try {
      const accepted = await app.inject({
        method: 'POST',
        url: '/v1/launches',
        payload: {
          imageId: 'img-simeast1-0003',
          name: 'parked',
          region: 'sim-east-1',
          product: { productId: 'm1.small' },
          group: 'ops',
          billingCode: 'ops-7',
        },
      });
      expect(accepted.statusCode).toBe(202);
      launchId = accepted.json().id as string;
      const read = () => app.inject({ method: 'GET', url: accepted.json().statusUrl });
      // Waiting, and its wait has looked once and said why (its first heartbeat).
      await expect
        .poll(async () => (await read()).json().waitingFor, { timeout: 30_000, interval: 250 })
        .toMatch(/status checks/);
      const before = (await read()).json();
      expect(before.step).toBe('wait-ready');
      await parking.stop();

      // No worker answers a query now (that is a 503 after 5 s); the history has not grown, so the last answer stands.
      const started = Date.now();
      const res = await read();
      expect(res.statusCode).toBe(200);
      expect(res.json().steps).toEqual(before.steps);
      expect(res.json().waitingFor).toMatch(/status checks/);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await parking.stop().catch(() => undefined); // a second stop when the test got that far
      if (launchId)
        await env.client.workflow
          .getHandle(launchId)
          .terminate('test cleanup')
          .catch(() => undefined);
      sim.close();
    }
  }, 60_000);

  it('answers the first read of a waiting launch from its wait, with no worker to ask and no replay', async () => {
    const sim = new SimProvider();
    sim.faults.script({ operation: 'statusChecks', impaired: true });
    const parking = await startTestWorker({ provider: sim });
    const app = await appFor(parking.config.TEMPORAL_TASK_QUEUE);
    let launchId: string | undefined;
    try {
      const accepted = await app.inject({
        method: 'POST',
        url: '/v1/launches',
        payload: {
          imageId: 'img-simeast1-0003',
          name: 'never-read',
          region: 'sim-east-1',
          product: { productId: 'm1.small' },
          volumes: { count: 2, sizeGb: 10, raid: 'raid1' },
          group: 'ops',
          billingCode: 'ops-7',
        },
      });
      expect(accepted.statusCode).toBe(202);
      launchId = accepted.json().id as string;
      // Not read through the API (nothing memoised there): Temporal alone says when the wait has heartbeated.
      const handle = env.client.workflow.getHandle(launchId);
      await untilWaitHeartbeats(handle);
      await parking.stop();

      // With no worker, a query would be a 503 after 5 s: the answer comes from the wait's heartbeat instead.
      const started = Date.now();
      const res = await app.inject({ method: 'GET', url: accepted.json().statusUrl });
      expect(res.statusCode).toBe(200);
      const view = res.json();
      expect(view).toMatchObject({ status: 'running', step: 'wait-ready', request: { name: 'never-read' } });
      expect(view.waitingFor).toMatch(/status checks of server i-\w+ are impaired/);
      expect(view.steps.map((s: { name: string }) => s.name)).toEqual(
        expect.arrayContaining(['provision', 'volumes', 'wait-ready']),
      );
      expect(view.volumes.volumeIds).toHaveLength(2);
      expect(view.readySecondsLeft).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await parking.stop().catch(() => undefined);
      if (launchId)
        await env.client.workflow
          .getHandle(launchId)
          .terminate('test cleanup')
          .catch(() => undefined);
      sim.close();
    }
  }, 60_000);
});
