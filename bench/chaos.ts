import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { devApiKey } from '../api/auth/dev-api-key';
import { serveApi } from '../api/serve';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { createServiceDeps } from '../config/dependencies';
import { temporalEndpoint } from '../config/temporal-settings';
import { SimProvider } from '../providers/sim/sim-provider';
import { distinctFreePorts } from '../config/free-port';
import { auditLaunches } from './chaos-audit';
import {
  ABANDONED_NAME,
  CAPPED_CODE,
  chaosRequest,
  DOOMED_NAME,
  isAbandoned,
  postLaunch,
  terminateMidVolumes,
  waitClosed,
  type ApiTarget,
  type ChaosLaunch,
} from './chaos-launches';
import type { ReapReport } from '../domain/reaper';
import type { reapOrphans } from '../workflows/reap-orphans';
import { ChaosApis } from './chaos-apis';
import { ChargedSampler, writeBillingCodes } from './chaos-quota';
import { printChaos, seconds } from './chaos-report';
import { startChaosTemporal } from './chaos-temporal';
import { ChaosWorkers, snapshotServiceCode } from './chaos-worker';
import { LaunchLanes } from './chaos-lanes';

// Chaos (issue 9, item 5), bounded and on loopback only: launches through the API's HTTP while every provider call
// of the worker meets transient faults, the worker process is SIGKILLed and started again, and the Temporal dev
// server (persisted to a file) is restarted once, and every tenth launch is terminated from the Temporal side in its
// volumes (it runs no undo). Then one pass of the reaper, and every launch must be closed, each completed one must
// hold exactly one server with its volumes, and each failed, cancelled or terminated one nothing, in the cloud or the
// key store. `--concurrency` launches are in flight at once;
// the worker is killed `--kill-every` seconds after it starts polling (bundling the workflows takes seconds), and
// the dev server restarted `--restart-after` seconds after the first worker polls.
// `--cluster`: on the Temporal server of `npm run cluster` (PostgreSQL, mutual TLS), whose server process is the one
// restarted. `--replicas N` (issue 20): N API processes (launches alternate between them; a POST that cannot connect
// goes to the next) and N worker processes; the first worker is killed `--kills` times (once by default) and the
// others stay up, the first API is SIGKILLed and started again `--api-kill-after` seconds after the first poll, and
// every fourth launch is charged to a billing code with a hard quota of `--hard-quota`, whose charged servers are
// counted every second and must never pass it.
// `npm run bench:chaos`; `--smoke` for CI's quick check. Exits non-zero on any violation or at the deadline.

const { values } = parseArgs({
  options: {
    launches: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '20' },
    'kill-every': { type: 'string' },
    kills: { type: 'string' },
    'restart-after': { type: 'string' },
    'api-kill-after': { type: 'string', default: '60' },
    'hard-quota': { type: 'string', default: '15' },
    'fault-rate': { type: 'string', default: '0.2' },
    'time-scale': { type: 'string', default: '0.05' },
    deadline: { type: 'string' },
    cluster: { type: 'boolean', default: false },
    replicas: { type: 'string' },
    keep: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
  },
});
const smoke = values.smoke;
/** 0: today's shape, the API in this process and one worker killed again and again. */
const replicas = values.replicas === undefined ? 0 : Number(values.replicas);
if (!Number.isInteger(replicas) || replicas < 0 || replicas > 8) throw new Error('--replicas: 1 to 8');
const launchCount = smoke ? 6 : Number(values.launches);
const concurrency = smoke ? 5 : Number(values.concurrency);
const killEveryS = smoke ? 6 : Number(values['kill-every'] ?? (replicas ? 150 : 10));
const maxKills = smoke ? 1 : Number(values.kills ?? (replicas ? 1 : Number.MAX_SAFE_INTEGER));
const restartAfterS = smoke ? 1 : Number(values['restart-after'] ?? (replicas ? 240 : 60));
const apiKillAfterS = Number(values['api-kill-after']);
const hardQuota = Number(values['hard-quota']);
const faultRate = Number(values['fault-rate']);
const timeScale = Number(values['time-scale']);
const deadlineS = smoke ? 120 : Number(values.deadline ?? (values.cluster || replicas ? 1500 : 900));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Waits until `ms` after `from`, or until `done()`; false when it was done first. */
const waitFor = async (at: number, done: () => boolean): Promise<boolean> => {
  while (Date.now() < at && !done()) await sleep(200);
  return !done();
};

async function run(): Promise<number> {
  const began = Date.now();
  const deadline = began + deadlineS * 1000;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-chaos-'));
  // Two ports, different: the API's is only bound after the dev server holds its own.
  const [temporalPort, apiPort] = (await distinctFreePorts(2)) as [number, number];
  // What to stop at the end, in reverse, also when the run fails half-way.
  const stops: (() => unknown)[] = [];
  const killsNow: (() => void)[] = [];
  process.on('exit', () => killsNow.forEach((kill) => kill()));
  // Interrupted: exit through the 'exit' handlers, which stop the workers, the APIs and Temporal.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  let failed = true;
  try {
    const temporal = await startChaosTemporal({ cluster: values.cluster, dataDir, port: temporalPort });
    stops.push(() => temporal.stop());
    // The settings the APIs and the workers share: one sim database, key store and payload codec keys under dataDir.
    const shared = {
      DATA_DIR: dataDir,
      ...temporal.env,
      PROVIDER: 'sim',
      SIM_TIME_SCALE: String(timeScale),
      LOG_LEVEL: 'error',
    };
    const billingCodesFile = path.join(dataDir, 'billing-codes.json');
    if (replicas) writeBillingCodes(billingCodesFile, hardQuota);
    const apiEnv = {
      ...shared,
      HOST: '127.0.0.1',
      API_RATE_LIMIT: '1000000',
      ...(replicas ? { BILLING_CODES_FILE: billingCodesFile } : {}),
    };
    const config = loadConfig({ ...apiEnv, PORT: String(apiPort) });
    // Made here, before any service process: the key store's and the codec's keys, the sim's catalog, the API key.
    const deps = await createServiceDeps(config);
    stops.push(() => deps.provider instanceof SimProvider && deps.provider.close());
    const codeDir = snapshotServiceCode(path.join(dataDir, 'code'), { withApi: replicas > 0 });
    let apis: ChaosApis | undefined;
    let token: string;
    let urls: string[];
    if (replicas) {
      token = devApiKey(dataDir).token;
      apis = new ChaosApis({
        codeDir,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...apiEnv },
        ports: await distinctFreePorts(replicas),
        logFile: (replica) => path.join(dataDir, `api-${replica + 1}.log`),
      });
      const started = apis;
      killsNow.push(() => started.killNow());
      stops.push(() => started.stop());
      await apis.start();
      urls = apis.urls;
    } else {
      // The API sees the sim without faults: only the worker's provider calls meet them.
      const api = await serveApi({
        config,
        ...deps,
        logger: createLogger(config, 'api', pino.destination(path.join(dataDir, 'api.log'))),
      });
      stops.push(() => api.close());
      token = api.access.devKey!.token;
      urls = [`http://127.0.0.1:${config.PORT}`];
    }
    const connection = await Connection.connect(temporalEndpoint(config.temporal));
    stops.push(() => connection.close());
    const client = new Client({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      dataConverter: { payloadCodecs: deps.payloadCodecs },
    });
    const workerLogs = Array.from({ length: Math.max(replicas, 1) }, (_, i) =>
      path.join(dataDir, replicas ? `worker-${i + 1}.log` : 'worker.log'),
    );
    const workers = workerLogs.map(
      (logFile, i) =>
        new ChaosWorkers({
          codeDir,
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            ...shared,
            SIM_FAULTS: JSON.stringify({
              rates: { '*': faultRate },
              scripted: [
                { operation: 'statusChecks', match: { serverName: DOOMED_NAME }, impaired: true },
                { operation: 'guest.encrypt', match: { serverName: ABANDONED_NAME }, code: 'Unavailable' },
              ],
            }),
          },
          logFile,
          client,
          namespace: config.TEMPORAL_NAMESPACE,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          killEveryMs: killEveryS * 1000,
          // Only the first is killed; the others stay up.
          maxKills: i === 0 ? maxKills : 0,
        }),
    );
    for (const worker of workers) {
      killsNow.push(() => worker.killNow());
      stops.push(() => worker.stop());
    }
    const sim = new SimProvider({ dbFile: path.join(dataDir, 'sim-cloud.db'), timeScale });
    stops.push(() => sim.close());
    const target: ApiTarget = { urls, token, retries: new Map(), sent: 0, answered: [] };
    const runTag = randomBytes(4).toString('hex');
    const launches: ChaosLaunch[] = Array.from({ length: launchCount }, (_, index) => ({
      index,
      idempotencyKey: `chaos-${runTag}-${index}`,
      request: chaosRequest(index, { quotas: replicas > 0 }),
    }));
    const charged = replicas ? new ChargedSampler(sim) : undefined;

    for (const worker of workers) worker.start();
    charged?.start();
    let open = 0;
    let allClosed = false;
    const lanes = new LaunchLanes(launchCount, async (index) => {
      const launch = launches[index]!;
      if (Date.now() > deadline) {
        launch.refused = 'not sent: the deadline had passed';
        return;
      }
      open += 1;
      await postLaunch(target, launch, deadline);
      if (launch.workflowId && isAbandoned(index))
        launch.termination = await terminateMidVolumes(client, launch.workflowId, deadline);
      if (launch.workflowId) launch.closed = await waitClosed(client, launch.workflowId, deadline);
      open -= 1;
    });
    const firstPoll = Promise.race([workers[0]!.firstPoll, sleep(deadline - Date.now())]);
    const polledAt = firstPoll.then(() => Date.now());
    // Once, in the middle: stop Temporal (SIGTERM), start it on the same port(s) and data.
    // While it is down, a few more launches are sent: the API answers 503 and they are sent again with the same key.
    const restart = (async () => {
      if (!(await waitFor((await polledAt) + restartAfterS * 1000, () => allClosed)))
        return { count: 0, detail: 'not restarted: every launch closed first' };
      const openThen = open;
      const stopped = Date.now();
      await temporal.restart(() => {
        for (let i = 0; i < Math.ceil(concurrency / 4); i++) lanes.extra();
      });
      return {
        count: 1,
        detail: `at ${seconds(stopped - began)} with ${openThen} launches open, down ${seconds(Date.now() - stopped)}`,
      };
    })().catch((err: Error) => ({ count: 0, detail: `failed: ${err.message}` }));
    // Once, with replicas: SIGKILL to the first API and all below it, started again on its port.
    const apiKill = (async () => {
      if (!apis) return '';
      if (!(await waitFor((await polledAt) + apiKillAfterS * 1000, () => allClosed)))
        return 'not killed: every launch closed first';
      const at = Date.now();
      const openThen = open;
      const downMs = await apis.killAndRestart(0);
      return `API 1 SIGKILLed at ${seconds(at - began)} with ${openThen} launches open, answering again after ${seconds(downMs)}`;
    })().catch((err: Error) => `failed: ${err.message}`);
    // Even when the lanes fail, the restart must not begin after the run has stopped everything.
    const figures = await lanes.run(concurrency).finally(() => (allClosed = true));
    const restarted = await restart;
    const apiKilled = await apiKill;
    await charged?.stop();
    // One pass of the reaper, with the workers still being killed: it must take all the terminated launches left.
    const reapStarted = Date.now();
    const reaped = await client.workflow
      .execute<typeof reapOrphans>('reapOrphans', {
        workflowId: `chaos-reaper-${runTag}`,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        args: [{ regions: await sim.listRegions(), graceSeconds: 0 }],
        workflowExecutionTimeout: `${Math.max(Math.round((deadline - Date.now()) / 1000), 60)} seconds`,
      })
      .catch((err: Error): ReapReport | string => `failed: ${err.message}`);
    const reapedInMs = Date.now() - reapStarted;
    for (const worker of workers) await worker.stop();

    const audit = await auditLaunches(
      client,
      sim,
      deps.keys,
      launches,
      workerLogs.map((file) => (existsSync(file) ? readFileSync(file, 'utf8') : '')).join('\n'),
    );
    if (charged)
      audit.violations.push({
        name: `most servers charged to ${CAPPED_CODE} at once above its hard quota`,
        count: charged.max > hardQuota ? 1 : 0,
        examples: charged.max > hardQuota ? [`${charged.max} servers, hard quota ${hardQuota}`] : [],
      });
    printChaos({
      title:
        `chaos: ${launchCount} launches, ${concurrency} in flight; ${faultRate * 100}% transient faults on every provider call of the worker; SIM_TIME_SCALE=${timeScale}` +
        (replicas ? `; ${replicas} API and ${replicas} worker processes` : '') +
        (values.cluster ? '; on the cluster (Temporal server on PostgreSQL, mutual TLS)' : ''),
      launches,
      target,
      workers,
      killsDetail: replicas
        ? `worker 1 SIGKILLed ${killEveryS} s after polling${maxKills > 1 ? `, up to ${maxKills} times` : ''}, the other${replicas > 2 ? 's' : ''} left up`
        : `SIGKILL ${killEveryS} s after polling`,
      ...(apis ? { apis: { apis, detail: apiKilled } } : {}),
      restart: { name: temporal.name, ...restarted },
      ...(charged
        ? {
            quota: {
              code: CAPPED_CODE,
              hard: hardQuota,
              max: charged.max,
              samples: charged.samples,
              failed: charged.failed,
            },
          }
        : {}),
      reaped,
      reapedInMs,
      audit,
      figures,
    });
    failed = audit.violations.some((v) => v.count > 0);
    return failed ? 1 : 0;
  } finally {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        console.error(`chaos: stopping: ${(err as Error).message}`);
      }
    }
    if (failed || values.keep) console.log(`data kept in ${dataDir} (api*.log, worker*.log, sim-cloud.db, ...)`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}

// All loops end by themselves at the deadline; this is the backstop should one hang.
setTimeout(
  () => {
    console.error(`chaos: still running ${deadlineS + 120} s after the start; giving up`);
    process.exit(2);
  },
  (deadlineS + 120) * 1000,
).unref();

run().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
