import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app';
import { SimProvider } from '../../providers/sim/sim-provider';
import { startWorker, type RunningWorker } from '../../worker/worker';
import { injectWithKey, testApiKeys } from '../support/api-keys';
import { LAUNCH_BODY } from '../support/launches';
import { testKeyStore, testPayloadCodecs } from '../support/temporal';
import { endStuckWorkflowId } from '../../domain/stuck';

const silent = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} };

/** An API and a worker on a task queue of their own, the worker running the given workflows instead of the service's. */
async function serviceWith(workflowsFile: string, graceSeconds: number) {
  const taskQueue = `stuck-${randomUUID()}`;
  const provider = new SimProvider({ timeScale: 0 });
  const address = inject('temporalAddress');
  const { code } = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL(workflowsFile, import.meta.url)),
    logger: silent,
  });
  const keys = testKeyStore();
  const worker: RunningWorker = await startWorker({
    config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue },
    temporal: { address },
    provider,
    keys,
    payloadCodecs: testPayloadCodecs(),
    workflowBundle: { code },
  });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, dataConverter: { payloadCodecs: testPayloadCodecs() } });
  const { apiKeys, sessionKeyring, tokens } = testApiKeys();
  const config = {
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
    PROVIDER: 'sim' as const,
    STUCK_CANCEL_GRACE_SECONDS: graceSeconds,
  };
  const app = await buildApp({
    config,
    client,
    provider,
    keys,
    logger: pino({ level: 'silent' }),
    apiKeys,
    sessionKeyring,
  });
  injectWithKey(app, tokens.admin);
  return {
    app,
    client,
    connection,
    taskQueue,
    async stop() {
      await app.close();
      await worker.stop();
      await connection.close();
    },
  };
}

async function untilStuck(app: Awaited<ReturnType<typeof buildApp>>, url: string) {
  let view: { status?: string; stuck?: { reason: string; attempt: number } } = {};
  for (
    const end = Date.now() + 30_000;
    Date.now() < end && view.status !== 'stuck';
    await new Promise((r) => setTimeout(r, 250))
  ) {
    view = (await app.inject({ method: 'GET', url })).json();
  }
  return view;
}

// A launch whose workflow task keeps failing can make no progress, answer no query and run no undo: its view says
// so with the server's reason, and a cancel ends it once its grace period is over (terminated; the reaper then
// collects what it made).
describe('a stuck launch', () => {
  const GRACE_SECONDS = 3;
  let svc: Awaited<ReturnType<typeof serviceWith>>;
  beforeAll(async () => {
    svc = await serviceWith('../support/broken-workflows.ts', GRACE_SECONDS);
  }, 120_000);
  afterAll(async () => svc?.stop());

  it('shows as stuck with the server’s reason within 30 s and in /metrics, and a cancel ends it once its grace period is over', async () => {
    const started = await svc.app.inject({ method: 'POST', url: '/v1/launches', payload: LAUNCH_BODY });
    expect(started.statusCode, started.body).toBe(202);
    const { id } = started.json() as { id: string };
    const view = await untilStuck(svc.app, `/v1/launches/${id}`);
    expect(view).toMatchObject({
      status: 'stuck',
      stuck: { reason: expect.stringContaining('launchServer cannot run'), attempt: expect.any(Number) },
      request: { name: LAUNCH_BODY.name },
    });

    // Temporal marks it (TemporalReportedProblems) after two failed tasks, and /metrics counts it by type.
    const stuckLaunches = async () => {
      const body = (await svc.app.inject({ method: 'GET', url: '/metrics' })).body;
      return Number(/^machine_images_workflows_stuck\{workflow_type="launchServer"\} (\d+)$/m.exec(body)?.[1] ?? -1);
    };
    await expect.poll(stuckLaunches, { timeout: 30_000, interval: 500 }).toBeGreaterThanOrEqual(1);

    // The cancel is recorded at once; the launch is terminated once the grace period is over, not before.
    const cancel = await svc.app.inject({ method: 'POST', url: `/v1/launches/${id}/cancel` });
    expect(cancel.statusCode).toBe(202);
    const { terminateAfter } = cancel.json() as { terminateAfter: string };
    expect(cancel.json()).toMatchObject({ status: 'cancelling', terminateAfter: expect.any(String) });
    const graceEnds = Date.parse(terminateAfter);
    expect(graceEnds - Date.now()).toBeLessThanOrEqual(GRACE_SECONDS * 1000);
    const again = await svc.app.inject({ method: 'POST', url: `/v1/launches/${id}/cancel` });
    expect(again.json(), 'a second cancel names the same end').toMatchObject({ status: 'cancelling', terminateAfter });

    let status: string | undefined;
    for (
      const end = Date.now() + 30_000;
      Date.now() < end && status !== 'terminated';
      await new Promise((r) => setTimeout(r, 250))
    ) {
      status = ((await svc.app.inject({ method: 'GET', url: `/v1/launches/${id}` })).json() as { status: string })
        .status;
    }
    expect(status).toBe('terminated');
    const description = await svc.client.workflow.getHandle(id).describe();
    expect(
      description.closeTime!.getTime(),
      'terminated once the grace period was over, not before',
    ).toBeGreaterThanOrEqual(graceEnds - 100);
    expect(description.raw.workflowExtendedInfo?.cancelRequested, 'the cancel was recorded before the terminate').toBe(
      true,
    );
  }, 90_000);

  it('shows a stuck capture as stuck in its operation view', async () => {
    const id = `capture-stuck-${randomUUID()}`;
    const handle = await svc.client.workflow.start('captureImage', {
      workflowId: id,
      taskQueue: svc.taskQueue,
      args: [],
    });
    try {
      const view = await untilStuck(svc.app, `/v1/operations/${id}`);
      expect(view).toMatchObject({
        status: 'stuck',
        type: 'captureImage',
        stuck: { reason: expect.stringContaining('captureImage cannot run') },
      });
    } finally {
      await handle.terminate('test over');
    }
  }, 60_000);
});

// Stuck is not always for ever: a fixed build deployed within the grace period runs the launch's own undo, and the
// end-stuck workflow leaves it to finish instead of terminating it.
describe('a stuck launch that recovers within its grace period', () => {
  const GRACE_SECONDS = 15;
  let svc: Awaited<ReturnType<typeof serviceWith>>;
  beforeAll(async () => {
    svc = await serviceWith('../support/recovering-workflows.ts', GRACE_SECONDS);
  }, 120_000);
  afterAll(async () => svc?.stop());

  it('is not terminated: its cancel runs its own undo, and it ends cancelled', async () => {
    const started = await svc.app.inject({ method: 'POST', url: '/v1/launches', payload: LAUNCH_BODY });
    expect(started.statusCode, started.body).toBe(202);
    const { id } = started.json() as { id: string };
    expect((await untilStuck(svc.app, `/v1/launches/${id}`)).status).toBe('stuck');
    const cancel = await svc.app.inject({ method: 'POST', url: `/v1/launches/${id}/cancel` });
    expect(cancel.json()).toMatchObject({ status: 'cancelling', terminateAfter: expect.any(String) });

    // The end-stuck workflow wakes at the end of the grace period, while the launch is still in its 20 s undo.
    const ended = await svc.client.workflow.getHandle(endStuckWorkflowId(id)).result();
    expect(ended).toBe('recovered');
    const launch = svc.client.workflow.getHandle(id);
    await expect(launch.result()).rejects.toThrow();
    expect((await launch.describe()).status.name).toBe('CANCELLED');
  }, 120_000);
});
