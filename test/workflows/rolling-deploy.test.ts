import { randomUUID } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { temporal as proto } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { temporalQuotaPlaces } from '../../api/billing/quota-ledger';
import { PROJECT_ROOT } from '../../config/paths';
import { BillingCodeSchema } from '../../domain/billing-codes';
import { quotaLedgerId } from '../../domain/quota-ledger';
import { SimProvider } from '../../providers/sim/sim-provider';
import { SimGuestExecutor } from '../../providers/sim/sim-guest-executor';
import { currentBuildId } from '../../worker/deployment-version';
import { startWorker, type RunningWorker } from '../../worker/worker';
import { launchRequest, startLaunch } from '../support/launches';
import { testKeyStore, testPayloadCodecs } from '../support/temporal';

const PARKED = 20;

/** The build ids of the workers that ran a workflow's tasks, as its history records them. */
const buildsOf = (history: proto.api.history.v1.IHistory) =>
  new Set(
    (history.events ?? [])
      .map((e) => e.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId)
      .filter((id): id is string => Boolean(id)),
  );

// A rolling deploy with Worker Deployment Versioning: workers of a new version, whose launchServer would break the
// replay of launches in flight, start beside the old ones and become current. Launches in flight stay pinned to the
// old version and finish there; new launches run the new code; the old version drains.
describe('a rolling deploy of workflow code that would break replay', { timeout: 240_000 }, () => {
  const sim = new SimProvider({ timeScale: 0 });
  const keys = testKeyStore();
  const deploymentName = `machine-images-${randomUUID().slice(0, 8)}`;
  const mutant = path.join(PROJECT_ROOT, `workflows-mutant-deploy-${process.pid}`);
  const taskQueue = `deploy-${randomUUID()}`;
  const config = { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue };
  const payloadCodecs = testPayloadCodecs();
  let connection: Connection;
  let client: Client;
  const workers: RunningWorker[] = [];
  const said: string[] = [];

  const versioned = (buildId: string, promote: 'if-none' | 'always', workflowsPath?: string) =>
    startWorker({
      config: {
        ...config,
        WORKER_DEPLOYMENT_NAME: deploymentName,
        WORKER_BUILD_ID: buildId,
        WORKER_VERSION_PROMOTE: promote,
      },
      temporal: { address: inject('temporalAddress') },
      provider: sim,
      keys,
      guest: new SimGuestExecutor(sim),
      payloadCodecs,
      ...(workflowsPath ? { workflowsPath } : {}),
      say: (message) => said.push(message),
    });

  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('temporalAddress') });
    client = new Client({ connection, dataConverter: { payloadCodecs } });
    // Version 2's launchServer starts with a timer: replaying a launch of version 1 on it would fail.
    cpSync(path.join(PROJECT_ROOT, 'workflows'), mutant, { recursive: true });
    const file = path.join(mutant, 'launch-server.ts');
    const changed =
      `import { sleep as mutantSleep } from '@temporalio/workflow';\n${readFileSync(file, 'utf8')}`.replace(
        /^(export async function launchServer\(.*\{)$/m,
        '$1\n  await mutantSleep(1);',
      );
    expect(changed).toContain('await mutantSleep(1);');
    writeFileSync(file, changed);
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await connection?.close();
    rmSync(mutant, { recursive: true, force: true });
  });

  it('finishes the launches in flight on the old version and runs new ones on the new', async () => {
    workers.push(await versioned('v1', 'if-none'));
    await expect.poll(() => currentBuildId(client, deploymentName), { timeout: 60_000 }).toBe('v1');

    // A quota ledger, which lives for ever, starts on version 1 too.
    const places = temporalQuotaPlaces(client, taskQueue);
    const code = BillingCodeSchema.parse({
      code: `deploy-${randomUUID().slice(0, 8)}`,
      name: 'deploy',
      groups: ['*'],
      quota: { hard: 5 },
    });
    expect(await places.admit(code, 'launch-ledger-1')).toMatchObject({ admitted: true, places: 0 });

    // Twenty launches wait for readiness: their servers' status checks stay impaired until the deploy is done.
    const names = Array.from({ length: PARKED }, (_, i) => `parked-${i}`);
    for (const serverName of names)
      sim.faults.script({ operation: 'statusChecks', match: { serverName }, impaired: true });
    const parked = await Promise.all(
      names.map((name) => startLaunch(client, taskQueue, launchRequest({ name, readyTimeout: 600 }))),
    );
    await expect
      .poll(
        async () =>
          (
            await client.workflow.count(
              `TaskQueue = '${taskQueue}' AND WorkflowType = 'launchServer' AND LaunchStep = 'wait-ready'`,
            )
          ).count,
        { timeout: 90_000 },
      )
      .toBe(PARKED);

    // Version 2 starts beside version 1 and becomes current: new launches start on it.
    workers.push(await versioned('v2', 'always', path.join(mutant, 'index.ts')));
    await expect.poll(() => currentBuildId(client, deploymentName), { timeout: 60_000 }).toBe('v2');
    const fresh = await startLaunch(client, taskQueue, launchRequest({ name: 'fresh-1' }));

    // The servers come up: the parked launches finish, each on version 1, which its history would not replay on 2.
    sim.faults.clear();
    for (const launch of parked) {
      await launch.result();
      expect(buildsOf(await launch.fetchHistory()), launch.workflowId).toEqual(new Set(['v1']));
    }
    await fresh.result();
    const freshHistory = await fresh.fetchHistory();
    expect(buildsOf(freshHistory)).toEqual(new Set(['v2']));
    expect(
      freshHistory.events?.some((e) => e.timerStartedEventAttributes?.startToFireTimeout?.nanos === 1_000_000),
      "version 2's own timer",
    ).toBe(true);

    // The ledger moved to version 2 (it auto-upgrades) and keeps its place from version 1.
    expect(await places.admit(code, 'launch-ledger-2')).toMatchObject({ admitted: true, places: 1 });
    const ledger = client.workflow.getHandle(quotaLedgerId(code.code));
    expect(buildsOf(await ledger.fetchHistory())).toEqual(new Set(['v1', 'v2']));
    await ledger.terminate('test over');

    // Nothing is pinned to version 1 any more: its workers can go.
    await workers.shift()!.stop();
    expect(said.join('\n')).toContain(`${deploymentName}: v2 is now current`);
  });
});
