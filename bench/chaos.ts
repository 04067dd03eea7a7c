import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config/config';
import { createServiceDeps } from '../config/dependencies';
import { temporalEndpoint } from '../config/temporal-settings';
import { SimProvider } from '../providers/sim/sim-provider';
import { distinctFreePorts } from '../config/free-port';
import { auditLaunches } from './chaos-audit';
import {
  CAPPED_CODE,
  chaosRequest,
  isAbandoned,
  postLaunch,
  terminateMidVolumes,
  waitClosed,
  type ApiTarget,
  type ChaosLaunch,
} from './chaos-launches';
import type { ReapReport } from '../domain/reaper';
import type { reapOrphans } from '../workflows/reap-orphans';
import { ChargedSampler, writeBillingCodes } from './chaos-quota';
import { printChaos, seconds } from './chaos-report';
import { startChaosTemporal } from './chaos-temporal';
import { createWorkers, startApis, type Teardown } from './chaos-service';
import { snapshotServiceCode } from './chaos-worker';
import { LaunchLanes } from './chaos-lanes';
import { chaosOptions } from './chaos-options';

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
// goes to the next) and N worker processes; once each, when its share of the launches has been sent
// (`--api-kill-at`, `--worker-kill-at`, `--restart-at`), the first API is SIGKILLed and started again, the first
// worker likewise (the others stay up), and Temporal restarted; every fourth launch is charged to a billing code with
// a hard quota of `--hard-quota`, whose charged servers are counted every second and must never pass it.
// `npm run bench:chaos`; `--smoke` for CI's quick check. Exits non-zero on any violation or at the deadline.

const {
  cluster,
  replicas,
  launchCount,
  concurrency,
  killEveryS,
  maxKills,
  restartAfterS,
  apiKillAt,
  workerKillAt,
  restartAt,
  hardQuota,
  faultRate,
  timeScale,
  deadlineS,
  keep,
} = chaosOptions();

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function run(): Promise<number> {
  const began = Date.now();
  const deadline = began + deadlineS * 1000;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-chaos-'));
  // Two ports, different: the API's is only bound after the dev server holds its own.
  const [temporalPort, apiPort] = (await distinctFreePorts(2)) as [number, number];
  // What to stop at the end, in reverse, also when the run fails half-way.
  const teardown: Teardown = { stops: [], killsNow: [] };
  const { stops } = teardown;
  process.on('exit', () => teardown.killsNow.forEach((kill) => kill()));
  // Interrupted: exit through the 'exit' handlers, which stop the workers, the APIs and Temporal.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  let failed = true;
  try {
    const temporal = await startChaosTemporal({ cluster, dataDir, port: temporalPort });
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
    const { urls, token, apis } = await startApis({ replicas, dataDir, codeDir, env: apiEnv, config, deps, teardown });
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
    const workers = createWorkers({
      logFiles: workerLogs,
      codeDir,
      env: shared,
      faultRate,
      client,
      config,
      killEveryS,
      maxKills,
      teardown,
    });
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
    /** With replicas, due once `fraction` of the launches have been sent; alone, `afterS` seconds after the first poll. */
    const due = async (fraction: number, afterS: number): Promise<() => boolean> => {
      await firstPoll;
      const at = Date.now() + afterS * 1000;
      return replicas ? () => lanes.started >= Math.ceil(launchCount * fraction) : () => Date.now() >= at;
    };
    /** Waits until `isDue()`, or every launch has closed (then false). */
    const until = async (isDue: () => boolean): Promise<boolean> => {
      while (!isDue() && !allClosed) await sleep(200);
      return !allClosed;
    };
    const when = () => `at ${seconds(Date.now() - began)} with ${lanes.started} launches sent, ${open} open`;
    // Once, in the middle: stop Temporal (SIGTERM), start it on the same port(s) and data.
    // While it is down, a few more launches are sent: the API answers 503 and they are sent again with the same key.
    const restart = (async () => {
      if (!(await until(await due(restartAt, restartAfterS))))
        return { count: 0, detail: 'not restarted: every launch closed first' };
      const detail = replicas ? when() : `at ${seconds(Date.now() - began)} with ${open} launches open`;
      const stopped = Date.now();
      await temporal.restart(() => {
        for (let i = 0; i < Math.ceil(concurrency / 4); i++) lanes.extra();
      });
      return { count: 1, detail: `${detail}, down ${seconds(Date.now() - stopped)}` };
    })().catch((err: Error) => ({ count: 0, detail: `failed: ${err.message}` }));
    // Once each, with replicas: SIGKILL to the first API and all below it, started again on its port; and to the first
    // worker, started again at once (the others stay up).
    const apiKill = (async () => {
      if (!apis) return '';
      if (!(await until(await due(apiKillAt, 0)))) return 'not killed: every launch closed first';
      const detail = when();
      const downMs = await apis.killAndRestart(0);
      return `API 1 SIGKILLed ${detail}, answering again after ${seconds(downMs)}`;
    })().catch((err: Error) => `failed: ${err.message}`);
    const workerKill = (async () => {
      if (!replicas) return `SIGKILL ${killEveryS} s after polling`;
      if (!(await until(await due(workerKillAt, 0)))) return 'not killed: every launch closed first';
      const detail = when();
      workers[0]!.killOnce();
      return `worker 1 SIGKILLed ${detail}, started again at once; the other${replicas > 2 ? 's' : ''} left up`;
    })();
    // Even when the lanes fail, the restart must not begin after the run has stopped everything.
    const figures = await lanes.run(concurrency).finally(() => (allClosed = true));
    const restarted = await restart;
    const apiKilled = await apiKill;
    const workerKilled = await workerKill;
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
        (cluster ? '; on the cluster (Temporal server on PostgreSQL, mutual TLS)' : ''),
      launches,
      target,
      workers,
      killsDetail: workerKilled,
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
    if (failed || keep) console.log(`data kept in ${dataDir} (api*.log, worker*.log, sim-cloud.db, ...)`);
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
