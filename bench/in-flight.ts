import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { pino } from 'pino';
import { buildApp } from '../api/app';
import { ApiKeys, hashApiKey, newApiKeyToken } from '../api/auth/api-keys';
import { connectClient } from '../api/temporal-client';
import { loadConfig } from '../config/config';
import type { LaunchRequestInput } from '../domain/launch-request';
import { SimProvider } from '../providers/sim/sim-provider';
import { FileKeyStore } from '../secrets/file-key-store';
import { keyStoreFile, keyStoreKeyring, payloadCodecs } from '../secrets/service-keyrings';
import { freePort } from '../test/support/free-port';
import { defaultCachedWorkflows, WORKFLOWS_PATH } from '../worker/worker';
import { treeCpuMs } from './cpu';
import { HEADER, row, timeJobs, type RunFigures } from './figures';
import { startBenchTemporal, type BenchTemporal } from './temporal-target';
import { startWorkerProcess, type WorkerProcess } from './in-flight-process';

// Scale in flight (issue 9, item 2): N launches parked in the readiness wait on one worker process; its resident
// memory, and p99 of GET /v1/launches/:id and of a filtered GET /v1/launches while they wait, against GET /v1/health.
// `npm run bench:in-flight -- --launches 2000 [--cache-size N] [--cluster]`; `--smoke` for CI's quick check that it runs.

const { values } = parseArgs({
  options: {
    launches: { type: 'string', default: '2000' },
    'cache-size': { type: 'string' },
    /** The worker's V8 heap limit in MiB (`--max-old-space-size`), as a container's NODE_OPTIONS would set it. */
    heap: { type: 'string' },
    reads: { type: 'string', default: '500' },
    lists: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '10' },
    /** On the production shape (scripts/cluster: the server on PostgreSQL with mutual TLS) instead of a dev server. */
    cluster: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
  },
});
const launches = values.smoke ? 20 : Number(values.launches);
const reads = values.smoke ? 50 : Number(values.reads);
const lists = values.smoke ? 20 : Number(values.lists);
const concurrency = Number(values.concurrency);
const GROUPS = 20;
/** At most this many launches started and not yet waiting for readiness. */
const WINDOW = 100;
const AT_STEP = "WorkflowType = 'launchServer' AND ExecutionStatus = 'Running' AND LaunchStep = 'wait-ready'";
const TARGET_MIB = 1024;
const TARGET_P99_MS = 50;

/** Servers boot at once and never pass their status checks: every launch does all its work, then waits for readiness. */
const SIM_FAULTS = JSON.stringify({ scripted: [{ operation: 'statusChecks', impaired: true }] });
const body = (index: number): LaunchRequestInput => ({
  imageId: 'img-simeast1-0003',
  name: `parked-${index}`,
  region: 'sim-east-1',
  product: { productId: 'm1.small' },
  volumes: { count: 2, sizeGb: 10, raid: 'raid1' },
  group: `bench-${index % GROUPS}`,
  billingCode: 'bench',
});

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (value: number) => `${value.toFixed(1)} MiB`;

async function run(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-in-flight-'));
  let server: BenchTemporal | undefined;
  const running: Running = {};
  // Once, from the end of the run, a failure on the way, or a signal; every step even if one before it fails.
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const step of [
        () => running.app?.close(),
        () => running.client?.connection.close(),
        () => running.worker?.stop(),
        () => running.provider?.close(),
        () => server?.stop(),
      ]) {
        await Promise.resolve()
          .then(step)
          .catch((err: unknown) => console.error(`stopping: ${(err as Error).message}`));
      }
      rmSync(dataDir, { recursive: true, force: true });
    })());
  // A run stopped by a signal (a test's timeout, Ctrl+C) still stops the worker and the server and removes its files.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void stopAll().finally(() => process.exit(130)));
  try {
    server = await startBenchTemporal(values.cluster);
    await measure(server, dataDir, running);
  } catch (err) {
    // Said before stopping: calls still in flight fail noisily once the connection closes, and would bury it.
    console.error('the bench failed:', err);
    throw err;
  } finally {
    await stopAll();
  }
}

/** What a run has started so far, for run() to stop however it ends. */
interface Running {
  app?: FastifyInstance;
  client?: Client;
  provider?: SimProvider;
  worker?: WorkerProcess;
}

async function measure(server: BenchTemporal, dataDir: string, running: Running): Promise<void> {
  const metricsAddress = `127.0.0.1:${await freePort()}`;
  // As in production (the Dockerfile): the worker starts from a bundle built ahead of time, with no webpack in it.
  const bundle = path.join(dataDir, 'workflow-bundle.js');
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  writeFileSync(bundle, code);
  const env: Record<string, string> = {
    WORKFLOW_BUNDLE: bundle,
    DATA_DIR: dataDir,
    ...server.env,
    TEMPORAL_TASK_QUEUE: 'in-flight',
    PROVIDER: 'sim',
    SIM_TIME_SCALE: '0',
    SIM_FAULTS,
    LOG_LEVEL: 'warn',
    WORKER_METRICS_ADDRESS: metricsAddress,
    ...(values['cache-size'] ? { WORKER_MAX_CACHED_WORKFLOWS: values['cache-size'] } : {}),
    ...(values.heap ? { NODE_OPTIONS: `--max-old-space-size=${Number(values.heap)}` } : {}),
  };
  const config = loadConfig(env);
  // Key files, codec keys and the sim's database are made here first; the worker opens the same ones.
  const codecs = payloadCodecs(config);
  const keys = new FileKeyStore(keyStoreFile(config), keyStoreKeyring(config));
  const provider = (running.provider = new SimProvider({ dbFile: path.join(dataDir, 'sim-cloud.db'), timeScale: 0 }));
  const client = (running.client = await connectClient(config.temporal, codecs));
  const token = newApiKeyToken();
  const apiKeys = new ApiKeys([{ principal: 'bench', role: 'admin', groups: ['*'], sha256: hashApiKey(token) }]);
  const app = (running.app = await buildApp({
    config: { ...config, API_RATE_LIMIT: 1_000_000 },
    client,
    provider,
    keys,
    // Errors only, to stderr: a failed read says why.
    logger: pino({ level: 'error' }, pino.destination(2)),
    apiKeys: () => apiKeys,
    sessionKeyring: keyStoreKeyring(config),
  }));
  {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const call = async (url: string, init: RequestInit = {}, expected = 200) => {
      const response = await fetch(base + url, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
      });
      const text = await response.text();
      if (response.status !== expected)
        throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${text.slice(0, 500)}`);
      return JSON.parse(text) as Record<string, unknown>;
    };
    // A read the API refuses is counted and its answer kept, not the end of the run: the figures are the point.
    const refused = new Map<string, number>();
    const read = (url: string) =>
      call(url).catch((err: Error) => {
        const answer =
          /: (\d{3}) .*?"code":"(\w+)"/.exec(err.message)?.slice(1, 3).join(' ') ?? err.message.slice(0, 80);
        refused.set(answer, (refused.get(answer) ?? 0) + 1);
      });
    const worker = (running.worker = await startWorkerProcess(env));
    const cacheSize = values['cache-size']
      ? Number(values['cache-size'])
      : defaultCachedWorkflows(values.heap ? Number(values.heap) : undefined);
    console.log(
      `in flight on the ${server.name}: ${launches} launches (2 volumes, raid1; sim instant, status checks impaired) parked on one worker (pid ${worker.pid})`,
    );
    console.log(
      `workflow cache: ${cacheSize} (${values['cache-size'] ? '--cache-size' : 'WORKER_MAX_CACHED_WORKFLOWS default'})${values.heap ? `; worker heap limit ${values.heap} MiB` : ''}`,
    );
    const idle = worker.memory();
    console.log(`worker memory idle: rss ${mib(idle.rssMiB)}`);

    const ids: string[] = [];
    const started = performance.now();
    let parkedSoFar = 0;
    const posts = await timeJobs(launches, concurrency, async (index) => {
      // Launches arrive as they would, a window at a time, not thousands at once through a cache they would thrash.
      while (index - parkedSoFar >= WINDOW) {
        parkedSoFar = (await client.workflow.count(AT_STEP)).count;
        if (index - parkedSoFar >= WINDOW) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      ids.push(String((await call('/v1/launches', { method: 'POST', body: JSON.stringify(body(index)) }, 202)).id));
    });
    const waiting = await waitUntilParked(client, ids, started, worker);
    console.log(
      `parked: ${waiting.parked} of ${launches} launches retrying checkReady after ${seconds(performance.now() - started)} (${WINDOW} at most on their way at once; posts took ${seconds(posts.wallMs)}; e.g. "${waiting.example}")`,
    );
    const parkedMemory = worker.memory();
    console.log(
      `worker memory parked: rss ${mib(parkedMemory.rssMiB)}, peak ${mib(parkedMemory.peakMiB)} (target <= ${TARGET_MIB} MiB)`,
    );
    console.log(`worker cache after parking: ${await cacheFigures(metricsAddress)}`);
    // What waiting costs with nobody reading: every parked launch's readiness check comes round (at most every 30 s,
    // so the window takes in a whole round).
    const idleWindowMs = values.smoke ? 2_000 : 30_000;
    const cpuBefore = { server: server.cpuMs(), worker: treeCpuMs(worker.pid), api: process.cpuUsage() };
    await new Promise((resolve) => setTimeout(resolve, idleWindowMs));
    const share = (ms: number) => `${((ms / idleWindowMs) * 100).toFixed(0)}%`;
    console.log(
      `CPU while parked, nobody reading (${idleWindowMs / 1000} s, of one core): Temporal server ${share(server.cpuMs() - cpuBefore.server)}, ` +
        `worker ${share(treeCpuMs(worker.pid) - cpuBefore.worker)}, API and bench ${share((process.cpuUsage(cpuBefore.api).user + process.cpuUsage(cpuBefore.api).system) / 1000)}`,
    );

    const pick = () => ids[Math.floor(Math.random() * ids.length)]!;
    // First reads go to launches not read before (a query, which replays a launch out of the worker's cache); the same
    // launches read again are what a console polling them sends (the API's progress memo answers from a describe).
    const order = [...ids].sort(() => Math.random() - 0.5);
    let cursor = 0;
    let verdicts: string[] = [];
    // One reader at a time gives the latency itself; `concurrency` readers at once, the latency under load.
    for (const lanes of [1, concurrency]) {
      const health = await timeJobs(reads, lanes, () => call('/v1/health'));
      const batch = Array.from({ length: reads }, () => order[cursor++ % order.length]!);
      const one = await timeJobs(reads, lanes, (index) => read(`/v1/launches/${batch[index]}`));
      const again = await timeJobs(reads, lanes, (index) => read(`/v1/launches/${batch[index]}`));
      const listed = await timeJobs(lists, lanes, (index) =>
        read(`/v1/launches?group=bench-${index % GROUPS}&state=running&limit=50`),
      );
      // What GET /v1/launches/:id is made of: a describe() and a query that the worker answers (replaying on a cache miss).
      const described = await timeJobs(reads, lanes, () => client.workflow.getHandle(pick()).describe());
      const queried = await timeJobs(reads, lanes, () => client.workflow.getHandle(pick()).query('progress'));
      console.log(`${lanes} at a time:`);
      console.log(HEADER);
      console.log(row('GET /v1/health', health));
      console.log(row('GET /v1/launches/:id', one));
      console.log(row('  the same again', again));
      console.log(row('GET /v1/launches?group', listed));
      console.log(row('  describe() alone', described));
      console.log(row('  query progress alone', queried));
      const verdict = (name: string, f: RunFigures) =>
        `p99 ${name}, ${lanes} at a time: ${f.p99Ms.toFixed(1)} ms (target <= ${TARGET_P99_MS} ms: ${f.p99Ms <= TARGET_P99_MS ? 'met' : 'MISSED'}), ${(f.p99Ms / health.p99Ms).toFixed(1)}x GET /v1/health`;
      verdicts = [
        ...verdicts,
        verdict('GET /v1/launches/:id', one),
        verdict('GET /v1/launches/:id again', again),
        verdict('GET /v1/launches?group=&state=', listed),
      ];
    }
    const afterReads = worker.memory();
    console.log(`worker memory after reads: rss ${mib(afterReads.rssMiB)}, peak ${mib(afterReads.peakMiB)}`);
    console.log(`worker cache after reads: ${await cacheFigures(metricsAddress)}`);
    for (const line of verdicts) console.log(line);
    console.log(
      `reads refused: ${refused.size === 0 ? 'none' : [...refused].map(([answer, count]) => `${count} ${answer}`).join(', ')}`,
    );
    console.log(
      `worker peak memory: ${mib(afterReads.peakMiB)} (target <= ${TARGET_MIB} MiB: ${afterReads.peakMiB <= TARGET_MIB ? 'met' : 'MISSED'})`,
    );
  }
}

/**
 * Parked: visibility shows the launch in wait-ready and its pending checkReady has failed at least once, so it sits
 * in the retry policy's backoff. Fails fast if any launch closed (it would never park).
 */
async function waitUntilParked(
  client: Client,
  ids: string[],
  started: number,
  worker: WorkerProcess,
): Promise<{ parked: number; example: string }> {
  const deadline = Date.now() + Math.max(120_000, ids.length * 1_000);
  const closed = "WorkflowType = 'launchServer' AND ExecutionStatus != 'Running'";
  let reported = Date.now();
  for (;;) {
    const failed = (await client.workflow.count(closed)).count;
    if (failed > 0) throw new Error(`${failed} launches closed instead of parking; see the worker's output`);
    const count = (await client.workflow.count(AT_STEP)).count;
    if (count >= ids.length) break;
    if (Date.now() > deadline) throw new Error(`only ${count} of ${ids.length} launches reached wait-ready in time`);
    if (Date.now() - reported > 30_000) {
      reported = Date.now();
      console.log(
        `  ${count} of ${ids.length} in wait-ready after ${seconds(performance.now() - started)}; worker rss ${mib(worker.memory().rssMiB)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  // Each pending checkReady has a last failure once its first attempt is over (2 s after it is scheduled).
  let pending = [...ids];
  let example = '';
  while (pending.length) {
    const notYet: string[] = [];
    await timeJobs(pending.length, 20, async (index) => {
      const id = pending[index]!;
      const description = await client.workflow.getHandle(id).describe();
      const message = description.raw.pendingActivities?.find((a) => a.activityType?.name === 'checkReady')?.lastFailure
        ?.message;
      if (message) example ||= message;
      else notYet.push(id);
    });
    pending = notYet;
    if (Date.now() > deadline)
      throw new Error(`${pending.length} launches in wait-ready have no failed readiness check yet`);
    if (pending.length) await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return { parked: ids.length, example };
}

/** The SDK's sticky-cache figures from the worker's Prometheus endpoint: how many runs it holds and how often it replays. */
async function cacheFigures(address: string): Promise<string> {
  const text = await (await fetch(`http://${address}/metrics`)).text();
  // Summed over label sets; counters may carry Prometheus' `_total` suffix.
  const value = (name: string) => {
    const pattern = new RegExp(`^temporal_${name}(_total)?(\\{[^}]*\\})? (\\S+)$`);
    return text.split('\n').reduce((sum, line) => sum + Number(pattern.exec(line)?.[3] ?? 0), 0);
  };
  return `size ${value('sticky_cache_size')}, hits ${value('sticky_cache_hit')}, misses ${value('sticky_cache_miss')}, forced evictions ${value('sticky_cache_total_forced_eviction')}`;
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
