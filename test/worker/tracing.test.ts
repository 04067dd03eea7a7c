import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../config/free-port';
import { PROJECT_ROOT } from '../../config/paths';
import { bearer } from '../support/api-keys';
import { LAUNCH_BODY } from '../support/launches';
import { ownNamespace } from '../support/namespace';
import { startOtlpReceiver, type ReceivedSpan } from '../support/otlp';
import { isAlive, waitUntil } from '../support/processes';
import { keysFileText, newKey } from '../support/replicas';
import { TEST_PAYLOAD_CODEC_KEYS } from '../support/temporal';

// `npm run api` and `npm run worker` with OTEL_* pointing at a collector: one launch through the API is one trace,
// from the HTTP request through the workflow's start and run to each activity, cloud call and guest step. The worker
// runs from a bundle built ahead of time, as in production: the tracing interceptors must be in it.
describe('traces of a launch (api/server.ts and worker/main.ts with OTEL_* set)', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tracing-'));
  const keysFile = path.join(dir, 'keys.json');
  const admin = newKey('admin', 'admin', ['*']);
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  afterAll(async () => {
    for (const child of children) if (child.pid && isAlive(child.pid)) child.kill('SIGKILL');
    for (const cleanup of cleanups.reverse()) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  function startProcess(entry: string, env: NodeJS.ProcessEnv) {
    const output: string[] = [];
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    children.push(child);
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, output, exited };
  }

  it('is one trace from POST /v1/launches to each cloud call and guest step, parents before children', async () => {
    const receiver = await startOtlpReceiver();
    cleanups.push(receiver.close);
    // A namespace of its own: the API brings the reaper's schedule up to date at start.
    const own = await ownNamespace('tracing');
    cleanups.push(own.drop);
    writeFileSync(keysFile, keysFileText(admin.entry));
    const port = await freePort();
    const bundle = path.join(dir, 'workflow-bundle.js');
    const bundled = promisify(execFile)('node', ['--import', 'tsx', 'scripts/bundle-workflows.ts', bundle], {
      cwd: PROJECT_ROOT,
      timeout: 90_000,
    });
    const env = {
      ...process.env,
      PORT: String(port),
      DATA_DIR: path.join(dir, 'data'),
      API_KEYS_FILE: keysFile,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: own.namespace,
      TEMPORAL_TASK_QUEUE: `tracing-${randomUUID()}`,
      PAYLOAD_CODEC_KEYS: TEST_PAYLOAD_CODEC_KEYS,
      SIM_TIME_SCALE: '0',
      LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    };
    const api = startProcess('api/server.ts', { ...env, OTEL_SERVICE_NAME: 'machine-images-api' });
    const url = `http://127.0.0.1:${port}`;
    await waitUntil(
      async () => (await fetch(`${url}/v1/health`).catch(() => undefined))?.status === 200,
      60_000,
      `the API to listen; it printed:\n${api.output.join('')}`,
    );
    await bundled;
    // After the API: it is the one that makes the data directory's key store.
    const worker = startProcess('worker/main.ts', {
      ...env,
      WORKFLOW_BUNDLE: bundle,
      LOG_LEVEL: 'info',
      OTEL_SERVICE_NAME: 'machine-images-worker',
    });
    await waitUntil(
      () => worker.output.join('').includes('worker polling'),
      60_000,
      `the worker to poll; it printed:\n${worker.output.join('')}`,
    );
    expect(worker.output.join(''), 'the worker runs the prebuilt bundle').not.toMatch(/Workflow bundle created/i);

    const headers = { ...bearer(admin.token), 'content-type': 'application/json' };
    const volumes = { count: 2, sizeGb: 5, raid: 'raid1', encrypt: true };
    const accepted = await fetch(`${url}/v1/launches`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...LAUNCH_BODY, volumes }),
    });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    let launch: { status?: string; server?: { id: string } } = {};
    await waitUntil(
      async () => {
        launch = (await (await fetch(`${url}/v1/launches/${id}`, { headers })).json()) as typeof launch;
        return launch.status !== 'running';
      },
      90_000,
      `launch ${id} to end`,
    );
    expect(launch.status).toBe('completed');
    const serverId = launch.server!.id;

    // Each process sends the spans its exporter still holds as it stops.
    api.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect(await api.exited, `the API stops; it printed:\n${api.output.join('')}`).toBe(0);
    expect(await worker.exited, `the worker stops; it printed:\n${worker.output.join('')}`).toBe(0);

    const request = receiver.spans.find((span) => span.name === 'POST /v1/launches');
    expect(request, `a span for the request among ${receiver.spans.map((s) => s.name).join(', ')}`).toBeDefined();
    const inTrace = receiver.spans.filter((span) => span.traceId === request!.traceId);
    const byId = new Map(inTrace.map((span) => [span.spanId, span]));
    const depth = (span: ReceivedSpan): number => {
      const parent = byId.get(span.parentSpanId ?? '');
      return parent ? depth(parent) + 1 : 0;
    };
    // Times are in milliseconds: of spans begun in the same one, the parent comes first.
    inTrace.sort((a, b) => (a.start === b.start ? depth(a) - depth(b) : a.start < b.start ? -1 : 1));
    const outline = inTrace.map((span) => `${span.service} ${span.name} ${JSON.stringify(span.attributes)}`).join('\n');
    const named = (name: string) => inTrace.filter((span) => span.name === name);
    const one = (name: string): ReceivedSpan => {
      expect(named(name), `one span ${name} in the trace:\n${outline}`).toHaveLength(1);
      return named(name)[0]!;
    };

    // The request is the root; every other span's parent is in the trace and began no later than it did.
    expect(request!.parentSpanId).toBeUndefined();
    for (const span of inTrace) {
      if (span === request) continue;
      const parent = byId.get(span.parentSpanId ?? '');
      expect(parent, `the parent of ${span.name} is in the trace:\n${outline}`).toBeDefined();
      expect(parent!.start <= span.start, `${parent!.name} began before its child ${span.name}`).toBe(true);
    }
    /** Whether `ancestor` is on the way from `span` up to the root. */
    const under = (span: ReceivedSpan, ancestor: ReceivedSpan): boolean => {
      for (let at = byId.get(span.parentSpanId ?? ''); at; at = byId.get(at.parentSpanId ?? '')) {
        if (at === ancestor) return true;
      }
      return false;
    };

    const start = one('StartWorkflow:launchServer');
    const run = one('RunWorkflow:launchServer');
    expect(start.service).toBe('machine-images-api');
    expect(under(start, request!)).toBe(true);
    expect(run.service).toBe('machine-images-worker');
    expect(under(run, start)).toBe(true);
    expect(run.attributes).toMatchObject({ 'temporal.workflow_id': id, 'machine_images.server_id': serverId });

    const provision = one('RunActivity:provisionServer');
    expect(under(provision, one('StartActivity:provisionServer'))).toBe(true);
    expect(under(one('StartActivity:provisionServer'), run)).toBe(true);
    expect(provision.attributes).toMatchObject({ 'temporal.workflow_id': id, 'machine_images.server_id': serverId });
    const launched = one('cloud.launchServer');
    expect(under(launched, provision)).toBe(true);
    expect(launched.attributes).toMatchObject({ 'cloud.region': 'sim-east-1', 'machine_images.server_id': serverId });

    for (const activity of [
      'preflight',
      'waitServerRunning',
      'createDisk',
      'attachDisk',
      'prepareGuest',
      'checkReady',
    ]) {
      expect(named(`RunActivity:${activity}`).length, `RunActivity:${activity} in:\n${outline}`).toBeGreaterThan(0);
      for (const span of named(`RunActivity:${activity}`)) {
        expect(under(span, run)).toBe(true);
        expect(span.attributes['temporal.workflow_id']).toBe(id);
      }
    }
    for (const step of ['raid', 'encrypt', 'format', 'mount']) {
      const guest = one(`guest.${step}`);
      expect(guest.attributes).toMatchObject({
        'machine_images.server_id': serverId,
        'machine_images.guest_step': step,
      });
      expect(named('RunActivity:prepareGuest').some((activity) => under(guest, activity))).toBe(true);
    }
    expect(named('cloud.attachVolume').every((span) => span.attributes['machine_images.server_id'] === serverId)).toBe(
      true,
    );

    // No key, token or header in any span: the API key sent, and the private key / passphrase names.
    const text = JSON.stringify(receiver.spans.map(({ name, attributes }) => ({ name, attributes })));
    expect(text).not.toContain(admin.token);
    expect(text).not.toMatch(/authorization|passphrase|privateKey|BEGIN .*PRIVATE KEY/i);
  });
});
