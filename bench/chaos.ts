import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { serveApi } from '../api/serve';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { createServiceDeps } from '../config/dependencies';
import { SimProvider } from '../providers/sim/sim-provider';
import { startDevServer, type DevServer } from '../scripts/dev-server';
import { locateTemporalCli } from '../scripts/temporal-cli';
import { distinctFreePorts } from '../config/free-port';
import { auditLaunches } from './chaos-audit';
import {
  ABANDONED_NAME,
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
import { ChaosWorkers, snapshotWorkerCode } from './chaos-worker';
import { HEADER, percentile, row } from './figures';
import { LaunchLanes } from './chaos-lanes';

// Chaos (issue 9, item 5), bounded and on loopback only: launches through the API's HTTP while every provider call
// of the worker meets transient faults, the worker process is SIGKILLed and started again, and the Temporal dev
// server (persisted to a file) is restarted once, and every tenth launch is terminated from the Temporal side in its
// volumes (it runs no undo). Then one pass of the reaper, and every launch must be closed, each completed one must
// hold exactly one server with its volumes, and each failed, cancelled or terminated one nothing, in the cloud or the
// key store. `--concurrency` launches are in flight at once;
// the worker is killed `--kill-every` seconds after it starts polling (bundling the workflows takes seconds), and
// the dev server restarted `--restart-after` seconds after the first worker polls.
// `npm run bench:chaos`; `--smoke` for CI's quick check. Exits non-zero on any violation or at the deadline.

const { values } = parseArgs({
  options: {
    launches: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '20' },
    'kill-every': { type: 'string', default: '10' },
    kills: { type: 'string', default: String(Number.MAX_SAFE_INTEGER) },
    'restart-after': { type: 'string', default: '60' },
    'fault-rate': { type: 'string', default: '0.2' },
    'time-scale': { type: 'string', default: '0.05' },
    deadline: { type: 'string', default: '900' },
    keep: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
  },
});
const smoke = values.smoke;
const launchCount = smoke ? 6 : Number(values.launches);
const concurrency = smoke ? 5 : Number(values.concurrency);
const killEveryS = smoke ? 6 : Number(values['kill-every']);
const maxKills = smoke ? 1 : Number(values.kills);
const restartAfterS = smoke ? 1 : Number(values['restart-after']);
const faultRate = Number(values['fault-rate']);
const timeScale = Number(values['time-scale']);
const deadlineS = smoke ? 120 : Number(values.deadline);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function run(): Promise<number> {
  const began = Date.now();
  const deadline = began + deadlineS * 1000;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-chaos-'));
  // Two ports, different: the API's is only bound after the dev server holds its own.
  const [temporalPort, apiPort] = (await distinctFreePorts(2)) as [number, number];
  const dbFile = path.join(dataDir, 'temporal.db');
  const cli = locateTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH });
  // The settings the API and the worker share: one sim database, key store and payload codec keys under dataDir.
  const shared = {
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    PROVIDER: 'sim',
    SIM_TIME_SCALE: String(timeScale),
    LOG_LEVEL: 'error',
  };
  const config = loadConfig({
    ...shared,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    API_RATE_LIMIT: '1000000',
  });
  let server: DevServer = await startDevServer({ cli, port: temporalPort, dbFile });
  // The API sees the sim without faults: only the worker's provider calls meet them.
  const deps = await createServiceDeps(config);
  const api = await serveApi({
    config,
    ...deps,
    logger: createLogger(config, 'api', pino.destination(path.join(dataDir, 'api.log'))),
  });
  const connection = await Connection.connect({ address: shared.TEMPORAL_ADDRESS });
  const client = new Client({ connection, dataConverter: { payloadCodecs: deps.payloadCodecs } });
  const workers = new ChaosWorkers({
    codeDir: snapshotWorkerCode(path.join(dataDir, 'code')),
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
    logFile: path.join(dataDir, 'worker.log'),
    client,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    killEveryMs: killEveryS * 1000,
    maxKills,
  });
  process.on('exit', () => workers.killNow());
  // Interrupted: exit through the 'exit' handlers, which stop the worker and the dev server.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const sim = new SimProvider({ dbFile: path.join(dataDir, 'sim-cloud.db'), timeScale });
  const target: ApiTarget = {
    url: `http://127.0.0.1:${config.PORT}`,
    token: api.access.devKey!.token,
    retries: new Map(),
  };
  const runTag = randomBytes(4).toString('hex');
  const launches: ChaosLaunch[] = Array.from({ length: launchCount }, (_, index) => ({
    index,
    idempotencyKey: `chaos-${runTag}-${index}`,
    request: chaosRequest(index),
  }));
  let failed = true;
  try {
    workers.start();
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
    // Once, in the middle: stop the dev server (SIGTERM, it flushes its file), start it on the same port and file.
    // While it is down, a few more launches are sent: the API answers 503 and they are sent again with the same key.
    const restart = (async () => {
      await Promise.race([workers.firstPoll, sleep(deadline - Date.now())]);
      const at = Date.now() + restartAfterS * 1000;
      while (Date.now() < at && !allClosed) await sleep(200);
      if (allClosed) return { count: 0, detail: 'not restarted: every launch closed first' };
      const openThen = open;
      const stopped = Date.now();
      await server.stop();
      for (let i = 0; i < Math.ceil(concurrency / 4); i++) lanes.extra();
      server = await startDevServer({ cli, port: temporalPort, dbFile });
      return {
        count: 1,
        detail: `at ${seconds(stopped - began)} with ${openThen} launches open, down ${seconds(Date.now() - stopped)}`,
      };
    })().catch((err: Error) => ({ count: 0, detail: `failed: ${err.message}` }));
    // Even when the lanes fail, the restart must not begin after the run has stopped everything.
    const figures = await lanes.run(concurrency).finally(() => (allClosed = true));
    const restarted = await restart;
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
    const reapedIn = Date.now() - reapStarted;
    await workers.stop();

    const audit = await auditLaunches(
      client,
      sim,
      deps.keys,
      launches,
      readFileSync(path.join(dataDir, 'worker.log'), 'utf8'),
    );
    const accepted = launches.filter((l) => l.workflowId);
    const retried = [...target.retries.values()].reduce((a, b) => a + b, 0);
    const status = (name: string) => audit.statuses.get(name) ?? 0;
    const violations = audit.violations.reduce((sum, v) => sum + v.count, 0);
    const ready = [...workers.readyMs].sort((a, b) => a - b);
    console.log(
      `chaos: ${launchCount} launches, ${concurrency} in flight; ${faultRate * 100}% transient faults on every provider call of the worker; SIM_TIME_SCALE=${timeScale}`,
    );
    console.log(
      `POSTs: ${accepted.length} accepted (202: ${accepted.filter((l) => l.answer === 202).length}, 200 on a retry: ${accepted.filter((l) => l.answer === 200).length}), retried: ${retried}${retried ? ` (${[...target.retries].map(([why, n]) => `${why}: ${n}`).join(', ')})` : ''}`,
    );
    console.log(
      `worker kills: ${workers.kills} (SIGKILL ${killEveryS} s after polling; spawn to polling p50 ${seconds(percentile(ready, 0.5))}, max ${seconds(ready.at(-1) ?? 0)}); exits of its own: ${workers.exits.length}`,
    );
    for (const exit of workers.exits.slice(0, 5)) console.log(`  ${exit}`);
    console.log(`dev server restarts: ${restarted.count} (${restarted.detail})`);
    const terminations = launches.filter((l) => l.termination);
    console.log(
      `terminated from the Temporal side in their volumes: ${terminations.filter((l) => l.termination === 'terminated').length} of ${terminations.length}`,
    );
    for (const l of terminations.filter((t) => t.termination !== 'terminated').slice(0, 5))
      console.log(`  ${l.workflowId}: ${l.termination}`);
    console.log(
      typeof reaped === 'string'
        ? `reaper pass: ${reaped}`
        : `reaper pass (grace 0 s): removed ${reaped.servers} servers, ${reaped.volumes} volumes, ${reaped.keypairs} key pairs, ${reaped.firewalls} firewalls, ${reaped.secrets} secrets in ${seconds(reapedIn)}`,
    );
    console.log(
      `final: ${accepted.length - status('RUNNING') - status('MISSING')} of ${accepted.length} closed: completed ${status('COMPLETED')}, failed ${status('FAILED')}, cancelled ${status('CANCELLED')}, terminated ${status('TERMINATED')}, timed out ${status('TIMED_OUT')}; open ${status('RUNNING')}`,
    );
    for (const [reason, n] of audit.failures) console.log(`  failed ${n}x: ${reason}`);
    const durations = audit.durationsMs.sort((a, b) => a - b);
    console.log(
      `wall time: ${seconds(figures.wallMs)}; ${figures.perSecond.toFixed(2)} launches/s; launch start to close p50 ${seconds(percentile(durations, 0.5))}, p99 ${seconds(percentile(durations, 0.99))}`,
    );
    console.log(HEADER);
    console.log(row('POST to closed', figures));
    console.log('violations:');
    for (const v of audit.violations) {
      console.log(`  ${v.name.padEnd(56)} ${v.count}`);
      for (const example of v.examples) console.log(`    ${example}`);
    }
    console.log(`violations total: ${violations}`);
    failed = violations > 0;
    return failed ? 1 : 0;
  } finally {
    await workers.stop();
    sim.close();
    await connection.close();
    await api.close();
    if (deps.provider instanceof SimProvider) deps.provider.close();
    await server.stop();
    if (failed || values.keep) console.log(`data kept in ${dataDir} (api.log, worker.log, temporal.db, sim-cloud.db)`);
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
