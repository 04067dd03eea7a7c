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
import { readyWaitOf } from '../domain/ready-wait';
import { SimProvider } from '../providers/sim/sim-provider';
import { FileKeyStore } from '../secrets/file-key-store';
import { keyStoreFile, keyStoreKeyring, payloadCodecs } from '../secrets/service-keyrings';
import { freePort } from '../test/support/free-port';
import { defaultCachedWorkflows, WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../worker/worker';
import { treeCpuMs } from './cpu';
import { HEADER, row, timeJobs, type RunFigures } from './figures';
import { startBenchTemporal, type BenchTemporal } from './temporal-target';
import { startWorkerProcess, type WorkerProcess } from './in-flight-process';

// Scale in flight (issues 9 and 22): N launches parked in the readiness wait across worker processes; the calls the
// waiting makes to the cloud, the CPU it costs, each worker's resident memory, and p99 of GET /v1/launches/:id and of
// a filtered GET /v1/launches while they wait, against GET /v1/health.
// `npm run bench:in-flight -- --launches 10000 --workers 2 [--cache-size N] [--cluster]`; `--throttle 0.3` for launches
// that complete under a throttling cloud instead; `--smoke` for CI's quick check that it runs.

const { values } = parseArgs({
  options: {
    launches: { type: 'string', default: '2000' },
    'cache-size': { type: 'string' },
    /** The worker's V8 heap limit in MiB (`--max-old-space-size`), as a container's NODE_OPTIONS would set it. */
    heap: { type: 'string' },
    reads: { type: 'string', default: '500' },
    lists: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '10' },
    /** Worker processes the launches are parked across; each has its own cache, waits and call budget. */
    workers: { type: 'string', default: '1' },
    /**
     * Instead of parking: this share of the cloud's answers is Throttled (every call the sim meters, status reads
     * included), servers become ready, and every launch must complete before its deadline.
     */
    throttle: { type: 'string' },
    /** On the production shape (scripts/cluster: the server on PostgreSQL with mutual TLS) instead of a dev server. */
    cluster: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
  },
});
const launches = values.smoke ? (values.throttle === undefined ? 20 : 6) : Number(values.launches);
const reads = values.smoke ? 50 : Number(values.reads);
const lists = values.smoke ? 20 : Number(values.lists);
const concurrency = Number(values.concurrency);
const workerCount = Math.max(1, Number(values.workers));
const throttleRate = values.throttle === undefined ? undefined : Number(values.throttle);
const GROUPS = 20;
/** At most this many launches started and not yet waiting for readiness. */
const WINDOW = 100;
const AT_STEP = "WorkflowType = 'launchServer' AND ExecutionStatus = 'Running' AND LaunchStep = 'wait-ready'";
const TARGET_MIB = 1024;
const TARGET_P99_MS = 50;
const TARGET_LIST_P99_MS = 100;
const TARGET_PARKED_CORES = 0.3;
const TARGET_STATUS_CALLS = 2;

/** Servers boot at once and never pass their status checks: every launch does all its work, then waits for readiness. */
const PARKED_FAULTS = JSON.stringify({ scripted: [{ operation: 'statusChecks', impaired: true }] });
/** Every metered call of the sim answers Throttled at this rate; servers pass their checks. */
const throttledFaults = (rate: number) => JSON.stringify({ rates: { '*': rate }, rateCodes: ['Throttled'] });
const body = (index: number): LaunchRequestInput => ({
  imageId: 'img-simeast1-0003',
  name: `parked-${index}`,
  region: 'sim-east-1',
  product: { productId: 'm1.small' },
  volumes: { count: 2, sizeGb: 10, raid: 'raid1' },
  group: `bench-${index % GROUPS}`,
  billingCode: 'bench',
  // Longer than parking 10,000 takes (about half an hour here): no launch may reach its deadline while they park.
  readyTimeout: 7200,
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
        async () => void (await Promise.all((running.workers ?? []).map((worker) => worker.stop()))),
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
  workers?: WorkerProcess[];
}

async function measure(server: BenchTemporal, dataDir: string, running: Running): Promise<void> {
  // As in production (the Dockerfile): the worker starts from a bundle built ahead of time, with no webpack in it.
  const bundle = path.join(dataDir, 'workflow-bundle.js');
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: new DefaultLogger('WARN'),
  });
  writeFileSync(bundle, code);
  const env: Record<string, string> = {
    WORKFLOW_BUNDLE: bundle,
    DATA_DIR: dataDir,
    ...server.env,
    TEMPORAL_TASK_QUEUE: 'in-flight',
    PROVIDER: 'sim',
    SIM_TIME_SCALE: '0',
    SIM_FAULTS: throttleRate === undefined ? PARKED_FAULTS : throttledFaults(throttleRate),
    // Under throttling, the sim gets EC2's read budget (it meters nothing of its own, so by default has none).
    ...(throttleRate === undefined ? {} : { CLOUD_CALL_RATE: '20', CLOUD_CALL_BURST: '100' }),
    LOG_LEVEL: 'warn',
    ...(values['cache-size'] ? { WORKER_MAX_CACHED_WORKFLOWS: values['cache-size'] } : {}),
    ...(values.heap ? { NODE_OPTIONS: `--max-old-space-size=${Number(values.heap)}` } : {}),
  };
  const config = loadConfig(env);
  // Key files, codec keys and the sim's database are made here first; the workers open the same ones.
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
  // Each worker its own process and metrics endpoint, as replicas in production.
  const metricsAddresses = await Promise.all(
    Array.from({ length: workerCount }, async () => `127.0.0.1:${await freePort()}`),
  );
  const workers = (running.workers = await Promise.all(
    metricsAddresses.map((address) => startWorkerProcess({ ...env, WORKER_METRICS_ADDRESS: address })),
  ));
  const cluster: Fleet = { server, client, workers, metricsAddresses, call };
  if (throttleRate !== undefined) await underThrottling(cluster, throttleRate);
  else await parked(cluster);
}

/** What a run works with once everything is up. */
interface Fleet {
  server: BenchTemporal;
  client: Client;
  workers: WorkerProcess[];
  metricsAddresses: string[];
  call(url: string, init?: RequestInit, expected?: number): Promise<Record<string, unknown>>;
}

const workersMemory = (workers: WorkerProcess[]) =>
  workers.map((w) => {
    const m = w.memory();
    return `rss ${mib(m.rssMiB)} (peak ${mib(m.peakMiB)})`;
  });

/** Launches posted through the API, at most WINDOW on their way to `step` at once (a count of visibility). */
async function postLaunches(
  { client, call }: Fleet,
  count: number,
  body: (index: number) => LaunchRequestInput,
  inStep: string,
): Promise<{ ids: string[]; wallMs: number }> {
  const ids: string[] = [];
  let arrived = 0;
  const posts = await timeJobs(count, concurrency, async (index) => {
    // Launches arrive as they would, a window at a time, not thousands at once through a cache they would thrash.
    while (index - arrived >= WINDOW) {
      arrived = (await client.workflow.count(inStep)).count;
      if (index - arrived >= WINDOW) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    ids.push(String((await call('/v1/launches', { method: 'POST', body: JSON.stringify(body(index)) }, 202)).id));
  });
  return { ids, wallMs: posts.wallMs };
}

async function parked(fleet: Fleet): Promise<void> {
  const { server, client, workers, metricsAddresses, call } = fleet;
  // A read the API refuses is counted and its answer kept, not the end of the run: the figures are the point.
  const refused = new Map<string, number>();
  const read = (url: string) =>
    call(url).catch((err: Error) => {
      const answer = /: (\d{3}) .*?"code":"(\w+)"/.exec(err.message)?.slice(1, 3).join(' ') ?? err.message.slice(0, 80);
      refused.set(answer, (refused.get(answer) ?? 0) + 1);
    });
  const cacheSize = values['cache-size']
    ? Number(values['cache-size'])
    : defaultCachedWorkflows(values.heap ? Number(values.heap) : undefined);
  console.log(
    `in flight on the ${server.name}: ${launches} launches (2 volumes, raid1; sim instant, status checks impaired) parked on ${workers.length} worker process${workers.length > 1 ? 'es' : ''} (pids ${workers.map((w) => w.pid).join(', ')})`,
  );
  console.log(
    `workflow cache per worker: ${cacheSize} (${values['cache-size'] ? '--cache-size' : 'WORKER_MAX_CACHED_WORKFLOWS default'})${values.heap ? `; worker heap limit ${values.heap} MiB` : ''}`,
  );
  console.log(`worker memory idle: ${workersMemory(workers).join('; ')}`);

  const started = performance.now();
  const posts = await postLaunches(fleet, launches, body, AT_STEP);
  const ids = posts.ids;
  const waiting = await waitUntilParked(client, ids, started, workers);
  console.log(
    `parked: ${waiting.parked} of ${launches} launches followed by the workers' readiness waits after ${seconds(performance.now() - started)} (${WINDOW} at most on their way at once; posts took ${seconds(posts.wallMs)}; e.g. "${waiting.example}")`,
  );
  console.log(`worker memory parked: ${workersMemory(workers).join('; ')} (target <= ${TARGET_MIB} MiB each)`);
  console.log(`worker cache after parking: ${(await Promise.all(metricsAddresses.map(cacheFigures))).join('; ')}`);
  console.log(
    `readiness waits followed: ${(await Promise.all(metricsAddresses.map((a) => metric(a, 'machine_images_ready_waits')))).join(' + ')}`,
  );
  // What waiting costs with nobody reading: every parked launch is looked at (at most every 30 s) and heartbeats
  // (every 60 s), so the window takes in two rounds of each.
  const idleWindowMs = values.smoke ? 2_000 : 120_000;
  const callsBefore = await cloudCalls(metricsAddresses);
  const cpuBefore = {
    server: server.cpuMs(),
    workers: workers.map((w) => treeCpuMs(w.pid)),
    api: process.cpuUsage(),
  };
  await new Promise((resolve) => setTimeout(resolve, idleWindowMs));
  const callsAfter = await cloudCalls(metricsAddresses);
  const share = (ms: number) => `${((ms / idleWindowMs) * 100).toFixed(0)}%`;
  const serverMs = server.cpuMs() - cpuBefore.server;
  const workerMs = workers.map((w, i) => treeCpuMs(w.pid) - cpuBefore.workers[i]!);
  const apiUsage = process.cpuUsage(cpuBefore.api);
  const workersTotal = workerMs.reduce((a, b) => a + b, 0);
  console.log(
    `CPU while parked, nobody reading (${idleWindowMs / 1000} s, of one core): Temporal server ${share(serverMs)}, ` +
      `workers ${workerMs.map(share).join(' + ')}, API and bench ${share((apiUsage.user + apiUsage.system) / 1000)}; ` +
      `server and workers ${((serverMs + workersTotal) / idleWindowMs).toFixed(2)} of a core (target <= ${TARGET_PARKED_CORES} at 2,000 parked)`,
  );
  const perSecond = (action: string) =>
    ((callsAfter.get(action) ?? 0) - (callsBefore.get(action) ?? 0)) / (idleWindowMs / 1000);
  const actions = [...new Set([...callsAfter.keys()])].filter((a) => perSecond(a) > 0).sort();
  const statusCalls = perSecond('serverStatuses') + perSecond('statusChecks') + perSecond('getServer');
  console.log(
    `cloud calls while parked: ${actions.map((a) => `${a} ${perSecond(a).toFixed(2)}/s`).join(', ') || 'none'}; status calls ${statusCalls.toFixed(2)}/s in total (target <= ${TARGET_STATUS_CALLS}/s at 2,000 parked)`,
  );

  const pick = () => ids[Math.floor(Math.random() * ids.length)]!;
  // First reads go to launches not read before (the API answers from the wait's heartbeat, which describe() carries);
  // the same launches read again are what a console polling them sends.
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
    // What GET /v1/launches/:id is made of: a describe(); a query only for a launch that is not waiting.
    const described = await timeJobs(reads, lanes, () => client.workflow.getHandle(pick()).describe());
    console.log(`${lanes} at a time:`);
    console.log(HEADER);
    console.log(row('GET /v1/health', health));
    console.log(row('GET /v1/launches/:id', one));
    console.log(row('  the same again', again));
    console.log(row('GET /v1/launches?group', listed));
    console.log(row('  describe() alone', described));
    const verdict = (name: string, f: RunFigures, target: number) =>
      `p99 ${name}, ${lanes} at a time: ${f.p99Ms.toFixed(1)} ms (target <= ${target} ms: ${f.p99Ms <= target ? 'met' : 'MISSED'}), ${(f.p99Ms / health.p99Ms).toFixed(1)}x GET /v1/health`;
    verdicts = [
      ...verdicts,
      verdict('GET /v1/launches/:id', one, TARGET_P99_MS),
      verdict('GET /v1/launches/:id again', again, TARGET_P99_MS),
      verdict('GET /v1/launches?group=&state=', listed, TARGET_LIST_P99_MS),
    ];
  }
  console.log(`worker memory after reads: ${workersMemory(workers).join('; ')}`);
  console.log(`worker cache after reads: ${(await Promise.all(metricsAddresses.map(cacheFigures))).join('; ')}`);
  for (const line of verdicts) console.log(line);
  console.log(
    `reads refused: ${refused.size === 0 ? 'none' : [...refused].map(([answer, count]) => `${count} ${answer}`).join(', ')}`,
  );
  const peak = Math.max(...workers.map((w) => w.memory().peakMiB));
  console.log(
    `worker peak memory: ${mib(peak)}, the largest of ${workers.length} (target <= ${TARGET_MIB} MiB each: ${peak <= TARGET_MIB ? 'met' : 'MISSED'})`,
  );
}

/**
 * Under a throttling cloud: launches whose servers become ready, while `rate` of the sim's metered calls answer
 * Throttled. Every launch must complete, none fail, and each within its readyTimeout.
 */
async function underThrottling(fleet: Fleet, rate: number): Promise<void> {
  const { server, client, workers, metricsAddresses } = fleet;
  console.log(
    `under throttling on the ${server.name}: ${launches} launches (2 volumes, raid1; sim instant) on ${workers.length} worker process(es), ${Math.round(rate * 100)}% of the sim's metered calls answered Throttled; each worker's read budget EC2's (20 a second, 100 at once)`,
  );
  const started = performance.now();
  const ready = (index: number): LaunchRequestInput => ({
    ...body(index),
    name: `throttled-${index}`,
    readyTimeout: READY_TIMEOUT_S,
  });
  const running = "WorkflowType = 'launchServer' AND ExecutionStatus = 'Running'";
  const closed = "WorkflowType = 'launchServer' AND ExecutionStatus != 'Running'";
  // At most WINDOW running at once: "arrived" counts the closed ones here.
  const posts = await postLaunches(fleet, launches, ready, closed);
  const deadline = Date.now() + Math.max(600_000, launches * 2_000);
  while ((await client.workflow.count(running)).count > 0) {
    if (Date.now() > deadline) throw new Error('launches were still running at the bench deadline');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  const outcomes = new Map<string, number>();
  const durations: number[] = [];
  const failures: string[] = [];
  await timeJobs(posts.ids.length, 20, async (index) => {
    const handle = client.workflow.getHandle(posts.ids[index]!);
    const d = await handle.describe();
    outcomes.set(d.status.name, (outcomes.get(d.status.name) ?? 0) + 1);
    if (d.closeTime) durations.push(d.closeTime.getTime() - d.startTime.getTime());
    if (d.status.name !== 'COMPLETED')
      failures.push(
        await handle.result().then(
          () => '',
          (err: Error) => String(err.cause ?? err),
        ),
      );
  });
  durations.sort((a, b) => a - b);
  const calls = await cloudCalls(metricsAddresses, true);
  const throttled = [...calls].filter(([k]) => k.endsWith(' Throttled')).reduce((sum, [, n]) => sum + n, 0);
  const budget = [...calls].filter(([k]) => k.endsWith(' Budget')).reduce((sum, [, n]) => sum + n, 0);
  const total = [...calls].reduce((sum, [, n]) => sum + n, 0);
  console.log(
    `done after ${seconds(performance.now() - started)}: ${[...outcomes].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', ')}; ` +
      `launch took p50 ${seconds(durations[Math.floor(durations.length / 2)] ?? 0)}, max ${seconds(durations.at(-1) ?? 0)} (readyTimeout ${READY_TIMEOUT_S} s)`,
  );
  console.log(
    `cloud calls: ${total}, ${throttled} answered Throttled (${((throttled / Math.max(total, 1)) * 100).toFixed(0)}%), ${budget} held back by the budget`,
  );
  for (const failure of failures.slice(0, 5)) console.log(`  failed: ${failure.slice(0, 300)}`);
  const met = outcomes.get('COMPLETED') === launches && (durations.at(-1) ?? Infinity) <= READY_TIMEOUT_S * 1000;
  console.log(`every launch completed within its deadline: ${met ? 'met' : 'MISSED'}`);
}

const READY_TIMEOUT_S = 1200;

/** Every cloud call the workers counted, by action (and `action outcome` with `byOutcome`), summed over workers. */
async function cloudCalls(addresses: string[], byOutcome = false): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  for (const address of addresses) {
    const text = await (await fetch(`http://${address}/metrics`)).text();
    for (const line of text.split('\n')) {
      const match = /^(?:temporal_)?machine_images_cloud_calls(?:_total)?\{([^}]*)\} (\S+)$/.exec(line);
      if (!match) continue;
      const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      const key = byOutcome ? `${labels.action} ${labels.outcome}` : String(labels.action);
      sums.set(key, (sums.get(key) ?? 0) + Number(match[2]));
    }
  }
  return sums;
}

/** One figure from a worker's Prometheus endpoint, summed over its label sets. */
async function metric(address: string, name: string): Promise<number> {
  const text = await (await fetch(`http://${address}/metrics`)).text();
  const pattern = new RegExp(`^(?:temporal_)?${name}(?:_total)?(?:\\{[^}]*\\})? (\\S+)$`);
  return text.split('\n').reduce((sum, line) => sum + Number(pattern.exec(line)?.[1] ?? 0), 0);
}

/**
 * Parked: visibility shows the launch in wait-ready and its readiness wait has heartbeated what it waits for. Fails fast if any launch closed (it would never park).
 */
async function waitUntilParked(
  client: Client,
  ids: string[],
  started: number,
  workers: WorkerProcess[],
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
        `  ${count} of ${ids.length} in wait-ready after ${seconds(performance.now() - started)}; worker rss ${workers.map((w) => mib(w.memory().rssMiB)).join(', ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  // Each wait heartbeats once it has looked at its server for the first time (within a second or two).
  let pending = [...ids];
  let example = '';
  while (pending.length) {
    const notYet: string[] = [];
    await timeJobs(pending.length, 20, async (index) => {
      const id = pending[index]!;
      const message = (await readyWaitOf(client, await client.workflow.getHandle(id).describe()))?.waitingFor;
      if (message) example ||= message;
      else notYet.push(id);
    });
    pending = notYet;
    if (Date.now() > deadline)
      throw new Error(`${pending.length} launches in wait-ready have not heartbeated a look at their server yet`);
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
