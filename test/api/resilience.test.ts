import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type AppDeps } from '../../api/app';
import { apiConnectionOptions } from '../../api/temporal-client';
import { SimProvider } from '../../providers/sim/sim-provider';
import { injectWithKey, testApiKeys } from '../support/api-keys';
import { freePort } from '../support/free-port';
import { startTestWorker, testKeyStore } from '../support/temporal';

// A launch that fails in its preflight: no such product.
// No product of the sim fits it: the launch is accepted, and fails in its preflight.
const body = {
  imageId: 'img-simeast1-0003',
  name: 'web-1',
  region: 'sim-east-1',
  product: { cpu: 448, memoryGb: 24576, storageGb: 10 },
  group: 'ops',
  billingCode: 'ops-7',
};
const silent = pino({ level: 'silent' });
const { apiKeys, sessionKeyring, tokens } = testApiKeys();
async function build(deps: Omit<AppDeps, 'apiKeys' | 'sessionKeyring'>) {
  const app = await buildApp({ ...deps, apiKeys, sessionKeyring });
  injectWithKey(app, tokens.admin);
  return app;
}

// When Temporal or the worker is missing, callers get a 503 that says what to check, never a 500.
describe('API when its dependencies are missing', () => {
  let env: Awaited<ReturnType<typeof startTestWorker>>;
  beforeAll(async () => {
    env = await startTestWorker();
  });
  afterAll(async () => env?.stop());

  it('answers 503 temporal_unavailable when the Temporal frontend does not answer', async () => {
    const connection = Connection.lazy(apiConnectionOptions({ address: `127.0.0.1:${await freePort()}` }));
    const client = new Client({ connection });
    const app = await build({
      config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: 'q', PROVIDER: 'sim' },
      client,
      provider: new SimProvider(),
      keys: testKeyStore(),
      logger: silent,
    });
    const started = Date.now();
    const launch = await app.inject({ method: 'POST', url: '/v1/launches', payload: body });
    expect(launch.statusCode).toBe(503);
    expect(launch.json()).toMatchObject({
      code: 'temporal_unavailable',
      message: expect.stringContaining('/v1/ready'),
    });
    expect(Date.now() - started, 'a person waits seconds, not the SDK default half minute').toBeLessThan(10_000);
    const ready = await app.inject({ method: 'GET', url: '/v1/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.temporal).toBe('unreachable');
    await connection.close();
  });

  it('is not ready, with 503 naming the namespace, when the namespace does not exist', async () => {
    const app = await build({
      config: {
        TEMPORAL_NAMESPACE: 'no-such-namespace',
        TEMPORAL_TASK_QUEUE: env.config.TEMPORAL_TASK_QUEUE,
        PROVIDER: 'sim',
      },
      client: env.client,
      provider: env.provider,
      keys: env.keys,
      logger: silent,
    });
    const res = await app.inject({ method: 'GET', url: '/v1/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json().message).toContain('no-such-namespace');
  });

  it('still shows a failed launch, with its reason, after its worker has gone', async () => {
    const own = await startTestWorker();
    const app = await build({
      config: { ...own.config, PROVIDER: 'sim' },
      client: own.client,
      provider: own.provider,
      keys: own.keys,
      logger: silent,
    });
    const { id } = (await app.inject({ method: 'POST', url: '/v1/launches', payload: body })).json();
    await own.client.workflow
      .getHandle(id)
      .result()
      .catch(() => undefined);
    await own.stop();
    const reader = await build({
      config: { ...own.config, PROVIDER: 'sim' },
      client: env.client,
      provider: own.provider,
      keys: own.keys,
      logger: silent,
    });
    const res = await reader.inject({ method: 'GET', url: `/v1/launches/${id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'failed',
      request: body,
      error: { code: 'ProductUnavailable', message: expect.stringContaining('448 CPU') },
      warnings: [expect.stringContaining('no worker answered')],
    });
  });
});
