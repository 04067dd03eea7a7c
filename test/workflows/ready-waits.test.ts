import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { SimProvider } from '../../providers/sim/sim-provider';
import { expectNothingLeft, launchRequest, startLaunch, untilWaitHeartbeats } from '../support/launches';
import { startTestWorker } from '../support/temporal';
import type { launchServer } from '../../workflows/launch-server';

/** The history of a launch, and its checkReady activity's events. */
async function readiness(client: Awaited<ReturnType<typeof startTestWorker>>['client'], workflowId: string) {
  const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'checkReady');
  const ids = new Set(scheduled.map((e) => Number(e.eventId)));
  const started = events!.filter((e) => ids.has(Number(e.activityTaskStartedEventAttributes?.scheduledEventId)));
  const completed = events!.filter((e) => ids.has(Number(e.activityTaskCompletedEventAttributes?.scheduledEventId)));
  return { events: events!, scheduled, started, completed };
}

// A readiness wait is followed by the worker that took it; these are the ways it leaves that worker.
describe('readiness waits followed by the worker', { timeout: 180_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ready-waits-'));
  const dbFile = path.join(dataDir, 'sim-cloud.db');
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('a stopping worker hands its waits back at once, and another worker completes them', async () => {
    const taskQueue = `ready-waits-${randomUUID()}`;
    // The first worker's cloud never passes status checks; the second's, over the same records, does.
    const impaired = new SimProvider({ dbFile, timeScale: 0 });
    impaired.faults.script({ operation: 'statusChecks', impaired: true });
    const first = await startTestWorker({ provider: impaired, taskQueue });
    const launch = await startLaunch(
      first.client,
      taskQueue,
      launchRequest({ name: 'handed-over', volumes: { count: 2, sizeGb: 10, raid: 'raid1' } }),
    );
    await untilWaitHeartbeats(launch);
    await first.stop();

    const healthy = new SimProvider({ dbFile, timeScale: 0 });
    const second = await startTestWorker({ provider: healthy, taskQueue });
    try {
      // Read through the second worker's client: the first's connection closed with it.
      const result = await second.client.workflow.getHandle<typeof launchServer>(launch.workflowId).result();
      expect(result.server.name).toBe('handed-over');
      expect((await healthy.getServer('sim-east-1', result.server.id)).state).toBe('running');
      const { scheduled, started, completed } = await readiness(second.client, launch.workflowId);
      // One activity for the whole wait, in two attempts: the second began after the first worker handed it back
      // (its failure says so), not after a heartbeat timeout.
      expect(scheduled).toHaveLength(1);
      expect(completed).toHaveLength(1);
      const attempt = started[0]!.activityTaskStartedEventAttributes!;
      expect(attempt.attempt).toBe(2);
      expect(attempt.lastFailure?.applicationFailureInfo?.type).toBe('WorkerStopping');
      expect(scheduled[0]!.activityTaskScheduledEventAttributes?.heartbeatTimeout?.seconds?.toString()).toBe('180');
    } finally {
      await second.stop();
      impaired.close();
      healthy.close();
    }
  });

  it('a launch cancelled while it waits is undone at once, and its wait ends with it', async () => {
    const taskQueue = `ready-waits-${randomUUID()}`;
    const sim = new SimProvider({ dbFile, timeScale: 0 });
    sim.faults.script({ operation: 'statusChecks', impaired: true });
    const worker = await startTestWorker({ provider: sim, taskQueue });
    try {
      const launch = await startLaunch(worker.client, taskQueue, launchRequest({ name: 'cancelled-waiting' }));
      await untilWaitHeartbeats(launch);
      await launch.cancel();
      await expect(launch.result()).rejects.toThrow();
      expect((await launch.describe()).status.name).toBe('CANCELLED');
      await expectNothingLeft(sim, launch.workflowId);
    } finally {
      await worker.stop();
      sim.close();
    }
  });
});
