import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { LaunchProgress } from '../../domain/launch';
import { SimProvider } from '../../providers/sim/sim-provider';
import { PROJECT_ROOT } from '../../config/paths';
import { launchRequest, leftovers, startLaunch } from '../support/launches';
import { isAlive, waitUntil } from '../support/processes';
import { TEST_PAYLOAD_CODEC_KEYS, testPayloadCodecs } from '../support/temporal';

// A worker process killed in the middle of a launch, and another started: Temporal carries the launch over,
// client tokens keep the retried steps from making anything twice.
describe('a launch across a worker SIGKILL', { timeout: 180_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'worker-restart-'));
  const taskQueue = `restart-${randomUUID()}`;
  const workers: ChildProcess[] = [];
  afterAll(() => {
    for (const worker of workers) if (worker.pid && isAlive(worker.pid)) worker.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  function startWorkerProcess(): ChildProcess {
    const worker = spawn('node', ['--import', 'tsx', 'worker/main.ts'], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: taskQueue,
        DATA_DIR: dataDir,
        // The worker process and this test's client share the payload codec key.
        PAYLOAD_CODEC_KEYS: TEST_PAYLOAD_CODEC_KEYS,
        SIM_TIME_SCALE: '0.1',
        // The first three volume creations fail for a moment: the volumes step lasts long enough to be interrupted.
        SIM_FAULTS: JSON.stringify({
          scripted: [1, 2, 3].map((nth) => ({ operation: 'createVolume', nth, code: 'Unavailable' })),
        }),
        LOG_LEVEL: 'error',
      },
    });
    workers.push(worker);
    return worker;
  }

  it('completes with exactly one server and the requested volumes', async () => {
    const first = startWorkerProcess();
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    const client = new Client({ connection, dataConverter: { payloadCodecs: testPayloadCodecs() } });
    try {
      const handle = await startLaunch(
        client,
        taskQueue,
        launchRequest({ volumes: { count: 4, sizeGb: 5, raid: 'raid10', encrypt: true } }),
      );
      await waitUntil(
        async () => (await handle.query<LaunchProgress>('progress').catch(() => undefined))?.step === 'volumes',
        60_000,
        'the launch to reach its volumes step',
      );
      first.kill('SIGKILL');
      await waitUntil(() => !isAlive(first.pid!), 10_000, 'the first worker to die');
      startWorkerProcess();
      const result = await handle.result();

      const sim = new SimProvider({ dbFile: path.join(dataDir, 'sim-cloud.db') });
      const left = await leftovers(sim, handle.workflowId);
      expect(left.servers).toEqual([result.server.id]);
      expect(left.volumes.sort()).toEqual([...result.volumes!.volumeIds].sort());
      expect(left.volumes).toHaveLength(4);
      const attached = await sim.listVolumes('sim-east-1', { serverId: result.server.id });
      expect(attached.filter((v) => v.state === 'in-use')).toHaveLength(4);
      expect(sim.guest('sim-east-1', result.server.id).state().mounts).toEqual([
        expect.objectContaining({ mountPoint: '/data' }),
      ]);
      sim.close();
    } finally {
      await connection.close();
    }
  });
});
