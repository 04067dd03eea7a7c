import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import autocannon from 'autocannon';
import { LaunchClient } from '../api/launch-client';
import { LaunchRequestSchema } from '../domain/launch-request';
import { startDevServer } from '../scripts/dev-server';
import { locateTemporalCli } from '../scripts/temporal-cli';
import { Keyring } from '../secrets/keyring';
import { PayloadEncryptionCodec } from '../secrets/payload-codec';
import { freePort } from '../test/support/free-port';
import { summarizeProfile } from './api-profile';
import type { ServersCommand, ServersReady } from './api-servers';
import { HTTP_HEADER, httpRow, percentile, ratio, timeJobs, type HttpFigures } from './figures';

// API overhead (issue 9, item 3): autocannon against GET /v1/images (the public search) and POST /v1/launches of the
// real app (buildApp, every plugin), and against a bare Fastify route served by the same process; p50/p99, the ratios.
// `npm run bench:api -- --duration 10 --connections 10`; `--smoke` for CI's quick check; `--profile DIR` writes a CPU
// profile of the server process per run and prints where its time went (the profiler slows it: figures are then not
// comparable with a run without it).
//
// The servers run in a child process (bench/api-servers.ts) and autocannon here: a load generator on the servers'
// event loop would take turns with them and halve what either does. The API and the bare route share that child.
// No worker runs: admission (auth, rate limit, validation, image lookup, billing gate, workflow start) needs only the
// Temporal frontend, the started launches wait in their task queue, and a worker running them would take the CPU
// (2 cores here) from the API being measured.

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    smoke: { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});
const duration = values.smoke ? 1.5 : Number(values.duration);
const connections = Number(values.connections);
const warmup = values.smoke ? 100 : 500;
// The production default is 600 a minute per key; the bench sends that many in a fraction of a second.
const RATE_LIMIT = 1_000_000;
/** Described one by one after the POST run: enough to show that the 202s were real workflows. */
const VERIFY_SAMPLE = 100;

// The public search as the console and README.md send it; its pages come through the catalog's 30 s cache.
const IMAGES_PATH = '/v1/images?region=sim-east-1&scope=public&q=debian&limit=20';
const LAUNCH_BODY = JSON.stringify({
  imageId: 'img-simeast1-0003',
  name: 'bench-1',
  region: 'sim-east-1',
  product: { productId: 'm1.small' },
  keypair: { create: {} },
  firewall: { create: { rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.0/24' }] } },
  volumes: { count: 4, sizeGb: 10, raid: 'raid10', encrypt: true },
  group: 'bench',
  billingCode: 'bench',
});

/** The forked server process, spoken to by messages; each command waits for the answer that carries `key`. */
function serversProcess(): {
  child: ChildProcess;
  ask: <T>(command: ServersCommand | undefined, key: string) => Promise<T>;
} {
  const child = fork(fileURLToPath(new URL('./api-servers.ts', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = <T>(command: ServersCommand | undefined, key: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: Record<string, unknown>) => {
        if ('failed' in message) reject(new Error(`the server process failed: ${String(message.failed)}`));
        else if (key in message) resolve(message[key] as T);
        else return;
        cleanup();
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`the server process exited (${code}) before answering ${key}`));
      };
      const cleanup = () => child.off('message', onMessage).off('exit', onExit);
      child.on('message', onMessage).on('exit', onExit);
      if (command) child.send(command);
    });
  return { child, ask };
}

interface Target {
  name: string;
  url: string;
  expected: number;
  options?: Partial<autocannon.Options>;
}

/** One autocannon run; latencies from its per-response event, which keeps their fractions of a millisecond. */
async function load(
  target: Target,
  run: { duration?: number; amount?: number },
): Promise<HttpFigures & { statuses: Map<number, number> }> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url: target.url, connections, ...run, ...target.options }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      latencies.push(ms);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
  });
  const wallMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    count: latencies.length,
    wallMs,
    perSecond: (latencies.length / wallMs) * 1000,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statuses,
  };
}

async function run(): Promise<void> {
  const cli = locateTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH });
  const server = await startDevServer({ cli, port: await freePort() });
  const codecKey = randomBytes(32);
  const { child, ask } = serversProcess();
  let connection: Connection | undefined;
  try {
    await ask(undefined, 'forked');
    const ready = await ask<ServersReady>(
      { start: { temporalAddress: server.address, codecKey: codecKey.toString('base64'), rateLimit: RATE_LIMIT } },
      'ready',
    );
    const payloadCodecs = [
      new PayloadEncryptionCodec(new Keyring([{ id: 'bench', key: codecKey }], 'the bench codec key')),
    ];
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, dataConverter: { payloadCodecs } });

    const auth = { authorization: `Bearer ${ready.token}` };
    const accepted: string[] = [];
    const keyPrefix = `bench-${randomUUID().slice(0, 8)}`;
    let keys = 0;
    const targets: Target[] = [
      { name: 'bare route', url: ready.bareUrl, expected: 200 },
      { name: 'GET /v1/images', url: ready.apiUrl + IMAGES_PATH, expected: 200, options: { headers: auth } },
      {
        name: 'POST /v1/launches',
        url: ready.apiUrl,
        expected: 202,
        options: {
          requests: [
            {
              method: 'POST',
              path: '/v1/launches',
              body: LAUNCH_BODY,
              // A new key per request: each one starts a workflow, none is answered as a replay.
              setupRequest: (request) => ({
                ...request,
                headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': `${keyPrefix}-${keys++}` },
              }),
              onResponse: (status, body) => {
                if (status === 202) accepted.push((JSON.parse(body) as { id: string }).id);
              },
            },
          ],
        },
      },
    ];

    const figures: { target: Target; run: Awaited<ReturnType<typeof load>> }[] = [];
    for (const target of targets) {
      const warm = await load(target, { amount: warmup });
      if (values.profile) await ask({ profile: 'start' }, 'profiling');
      const measured = await load(target, { duration });
      if (values.profile) {
        mkdirSync(values.profile, { recursive: true });
        const file = await ask<string>(
          {
            profile: 'stop',
            file: path.join(values.profile, `${target.name.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`),
          },
          'profiled',
        );
        figures.push({ target, run: measured });
        console.log(
          `\n${target.name}: where the server process spent its time (${file})\n${summarizeProfile(file).join('\n')}`,
        );
      } else {
        figures.push({ target, run: measured });
      }
      for (const [status, count] of warm.statuses)
        measured.statuses.set(status, (measured.statuses.get(status) ?? 0) + count);
      measured.errors += warm.errors;
    }

    // The POSTs did real work: a sample of the 202s are launch workflows, and visibility counts every one.
    const sample = accepted
      .filter((_, i) => i % Math.max(1, Math.floor(accepted.length / VERIFY_SAMPLE)) === 0)
      .slice(0, VERIFY_SAMPLE);
    const described = await Promise.all(sample.map((id) => client.workflow.getHandle(id).describe()));
    const launches = described.filter((d) => d.type === 'launchServer' && d.status.name === 'RUNNING').length;
    const total = accepted.length;
    let counted = 0;
    // Up to one request per connection is still in flight when a run ends: the server starts it, autocannon drops it.
    for (let tries = 0; tries < 20 && counted < total; tries++) {
      if (tries) await new Promise((resolve) => setTimeout(resolve, 250));
      counted = (await client.workflow.count("WorkflowType = 'launchServer'")).count;
    }
    const verified = `launches verified: ${launches} of ${sample.length} sampled 202s described as running launchServer workflows; visibility counts ${counted} launches for ${total} 202s (warm-up included; up to ${connections} more were in flight at the end)`;

    // What Temporal alone takes for as many launch starts, at the same concurrency: the same LaunchClient.start the
    // route calls after its checks, from this process, without HTTP, auth, validation or the API's event loop.
    const launchClient = new LaunchClient(client, 'bench-api', 'sim');
    const request = LaunchRequestSchema.parse(JSON.parse(LAUNCH_BODY));
    const posts = figures[2]!.run;
    const direct = await timeJobs(posts.count, connections, (i) =>
      launchClient.start(request, `${keyPrefix}-direct-${i}`, { startedBy: 'bench' }),
    );
    figures.push({
      target: { name: 'start alone (no HTTP)', url: '', expected: 202 },
      run: { ...direct, non2xx: 0, errors: 0, statuses: new Map() },
    });

    const bare = figures[0]!.run;
    console.log(
      `\nAPI overhead: autocannon, ${connections} connections, ${duration} s per run after ${warmup} warm-up requests; the servers in a process of their own`,
    );
    console.log(
      `the API: buildApp with every plugin (helmet, rate limit raised from the production 600/min per key to ${RATE_LIMIT}/min, bearer-key auth, ` +
        'metrics, swagger, info logging to /dev/null), the in-memory sim, a Temporal dev server, no worker; the bare route: Fastify with no plugins, same process',
    );
    console.log(HTTP_HEADER);
    for (const { target, run: f } of figures) console.log(httpRow(target.name, f, bare));
    for (const { target, run: f } of figures.slice(1, 3)) {
      console.log(`throughput ratio (${target.name} / bare): ${ratio(f.perSecond / bare.perSecond)}`);
      console.log(`p99 ratio (${target.name} / bare): ${ratio(f.p99Ms / bare.p99Ms)}`);
    }
    console.log(`throughput ratio (POST /v1/launches / start alone): ${ratio(posts.perSecond / direct.perSecond)}`);
    console.log(`p99 ratio (POST /v1/launches / start alone): ${ratio(posts.p99Ms / direct.p99Ms)}`);
    console.log(verified);

    const problems = figures.flatMap(({ target, run: f }) => [
      ...[...f.statuses]
        .filter(([status]) => status !== target.expected)
        .map(([status, count]) => `${target.name} answered ${status} ${count} times (expected ${target.expected})`),
      ...(f.errors ? [`${target.name}: ${f.errors} requests failed or timed out`] : []),
    ]);
    if (launches !== sample.length)
      problems.push(`only ${launches} of ${sample.length} sampled launches are running launchServer workflows`);
    if (counted < total || counted > total + connections)
      problems.push(
        `visibility counts ${counted} launches, but the API accepted ${total} (and at most ${connections} in flight)`,
      );
    if (problems.length) throw new Error(`the benchmark is not valid:\n  ${problems.join('\n  ')}`);
  } finally {
    await connection?.close();
    if (child.connected) child.disconnect();
    if (child.exitCode === null && child.signalCode === null)
      await new Promise((resolve) => child.once('exit', resolve));
    await server.stop();
  }
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
