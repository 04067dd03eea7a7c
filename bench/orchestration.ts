import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { LaunchRequestSchema } from '../domain/launch-request';
import { SimGuestExecutor } from '../providers/sim/sim-guest-executor';
import { SimProvider } from '../providers/sim/sim-provider';
import { FileKeyStore } from '../secrets/file-key-store';
import { Keyring } from '../secrets/keyring';
import { PayloadEncryptionCodec } from '../secrets/payload-codec';
import { startWorker } from '../worker/worker';
import { cpuPerJob, cpuRow, sampleCpu } from './cpu';
import { HEADER, row, timeJobs } from './figures';
import { startBenchTemporal, type BenchTemporal } from './temporal-target';

// Orchestration overhead (issue 9, items 1 and 4): N full launches on the instant sim (4 volumes, raid10, LUKS)
// against a bare workflow calling as many no-op activities, on the same dev server, with the same payload codec.
// `npm run bench:orchestration -- --launches 200 --concurrency 20 [--cluster]`; `--smoke` for CI's quick check that it runs.

const { values } = parseArgs({
  options: {
    launches: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '10' },
    /** On the production shape (scripts/cluster: the server on PostgreSQL with mutual TLS) instead of a dev server. */
    cluster: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
  },
});
const launches = values.smoke ? 3 : Number(values.launches);
const concurrency = values.smoke ? 3 : Number(values.concurrency);
const { History } = proto.temporal.api.history.v1;
const { EventType } = proto.temporal.api.enums.v1;

const REQUEST = LaunchRequestSchema.parse({
  imageId: 'img-simeast1-0003',
  name: 'bench-1',
  region: 'sim-east-1',
  product: { productId: 'm1.small' },
  volumes: { count: 4, sizeGb: 10, raid: 'raid10', encrypt: true },
  group: 'bench',
  billingCode: 'bench',
});

async function run(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const server = await startBenchTemporal(values.cluster);
  // Stopped (and, on the cluster, its data removed) however the run ends.
  try {
    await measure(server);
  } finally {
    await server.stop();
  }
}

async function measure(server: BenchTemporal): Promise<void> {
  const payloadCodecs = [
    new PayloadEncryptionCodec(new Keyring([{ id: 'bench', key: randomBytes(32) }], 'the bench key')),
  ];
  // Every launch keeps its server and 4 volumes: room for all of them.
  const provider = new SimProvider({ timeScale: 0, quotas: { servers: 1_000_000, volumes: 4_000_000 } });
  const keyDir = mkdtempSync(path.join(tmpdir(), 'bench-keys-'));
  const keys = new FileKeyStore(
    path.join(keyDir, 'keys.db'),
    new Keyring([{ id: 'k', key: randomBytes(32) }], 'the bench key store'),
  );
  const service = await startWorker({
    config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: 'bench-service' },
    temporal: server.endpoint,
    provider,
    keys,
    guest: new SimGuestExecutor(provider),
    payloadCodecs,
  });
  const baselineConnection = await NativeConnection.connect(server.endpoint);
  const baseline = await Worker.create({
    connection: baselineConnection,
    taskQueue: 'bench-baseline',
    workflowsPath: fileURLToPath(new URL('./baseline-workflow.ts', import.meta.url)),
    activities: { noop: async (step: number) => step },
    dataConverter: { payloadCodecs },
  });
  const baselineRunning = baseline.run();
  const connection = await Connection.connect(server.endpoint);
  const client = new Client({ connection, dataConverter: { payloadCodecs } });
  try {
    const launch = () =>
      client.workflow.execute('launchServer', {
        taskQueue: 'bench-service',
        workflowId: `launch-bench-${randomUUID()}`,
        args: [REQUEST],
      });

    // One launch first: it warms the worker, and its history says how many activities the baseline must run.
    const first = `launch-bench-${randomUUID()}`;
    await client.workflow.execute('launchServer', { taskQueue: 'bench-service', workflowId: first, args: [REQUEST] });
    const { history } = await client.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId: first },
    });
    const events = history?.events ?? [];
    const activities = events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).length;
    const bytes = History.encode(history ?? {}).finish().length;
    await client.workflow.execute('bareWorkflow', {
      taskQueue: 'bench-baseline',
      workflowId: `bare-${randomUUID()}`,
      args: [activities],
    });

    const beforeBare = sampleCpu(server.cpuMs);
    const bare = await timeJobs(launches, concurrency, () =>
      client.workflow.execute('bareWorkflow', {
        taskQueue: 'bench-baseline',
        workflowId: `bare-${randomUUID()}`,
        args: [activities],
      }),
    );
    const afterBare = sampleCpu(server.cpuMs);
    const full = await timeJobs(launches, concurrency, launch);
    const afterFull = sampleCpu(server.cpuMs);

    console.log(
      `orchestration overhead on the ${server.name}: ${launches} launches, ${concurrency} at a time, ${activities} activities each (4 volumes, raid10, LUKS; sim instant)`,
    );
    console.log(HEADER);
    console.log(row('bare workflow', bare));
    console.log(row('launchServer', full));
    console.log(cpuRow('bare workflow', cpuPerJob(beforeBare, afterBare, launches)));
    console.log(cpuRow('launchServer', cpuPerJob(afterBare, afterFull, launches)));
    console.log(`throughput ratio (launch / bare): ${(full.perSecond / bare.perSecond).toFixed(2)} (target >= 0.80)`);
    console.log(`p99 ratio (launch / bare): ${(full.p99Ms / bare.p99Ms).toFixed(2)}`);
    console.log(
      `history of one launch: ${events.length} events, ${(bytes / 1024).toFixed(1)} KiB (target <= 150 events, 64 KiB)`,
    );
  } finally {
    await connection.close();
    baseline.shutdown();
    await baselineRunning.catch(() => undefined);
    await service.stop();
    provider.close();
    rmSync(keyDir, { recursive: true, force: true });
  }
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
