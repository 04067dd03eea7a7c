import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../../config/paths';
import { distinctFreePorts } from '../../config/free-port';
import { descendantsOf, isAlive, processesMentioning, waitUntil } from '../support/processes';

class PortTaken extends Error {}

// `npm start` for real: dev server persisted under DATA_DIR, worker and API, then a clean stop.
describe('npm start', { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'machine-images-start-'));
  // Open to all, as an earlier version left it: the start must close it.
  chmodSync(dataDir, 0o755);
  const started: ChildProcess[] = [];

  afterAll(() => {
    for (const child of started) if (child.pid && isAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
    for (const pid of processesMentioning(dataDir)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * `npm start` on four ports that were free a moment ago, all different. Another test may take one of them before
   * the service binds it; a start that fails on that alone is tried again on new ports, once.
   */
  async function npmStart(): Promise<Started> {
    try {
      return await npmStartOnce();
    } catch (err) {
      if (!(err instanceof PortTaken)) throw err;
      return npmStartOnce();
    }
  }

  async function npmStartOnce() {
    const [PORT, TEMPORAL_PORT, TEMPORAL_UI_PORT, metricsPort] = await distinctFreePorts(4);
    const ports = { PORT: PORT!, TEMPORAL_PORT: TEMPORAL_PORT!, TEMPORAL_UI_PORT: TEMPORAL_UI_PORT! };
    const output: string[] = [];
    // Its own process group, as a terminal would give it, so a Ctrl+C can be sent to the whole group.
    const child = spawn('npm', ['start'], {
      cwd: PROJECT_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
        DATA_DIR: dataDir,
        WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
        TEMPORAL_CLI_PATH: inject('temporalCliPath'),
        TEMPORAL_ADDRESS: '',
        LOG_LEVEL: 'warn',
      },
    });
    started.push(child);
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const api = `http://127.0.0.1:${ports.PORT}`;
    const t0 = Date.now();
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve((exitCode = code))));
    await waitUntil(
      async () => {
        // A start that died says why at once, instead of after the whole wait.
        if (exitCode !== undefined) {
          const printed = output.join('');
          const message = `npm start exited (${exitCode}) before it was ready; it printed:\n${printed}`;
          throw /EADDRINUSE|address already in use/.test(printed) ? new PortTaken(message) : new Error(message);
        }
        return (await fetch(`${api}/v1/ready`).catch(() => undefined))?.status === 200;
      },
      60_000,
      `npm start to be ready; it printed:\n${output.join('')}`,
    );
    const readyAfterMs = Date.now() - t0;
    const auth = { authorization: `Bearer ${readFileSync(path.join(dataDir, 'dev-api-key'), 'utf8').trim()}` };
    return { child, api, ports, metricsPort, output, readyAfterMs, exited, auth };
  }

  type Started = Awaited<ReturnType<typeof npmStartOnce>>;

  async function expectAllGone(pids: number[]) {
    await waitUntil(
      () => pids.every((pid) => !isAlive(pid)),
      30_000,
      `processes ${pids.filter(isAlive).join(', ')} to exit`,
    );
    expect(processesMentioning(dataDir)).toEqual([]);
  }

  let launchId = '';

  it('is ready within 60 s, prints where everything is, serves the Web UI, and stops whole on Ctrl+C', async () => {
    const run = await npmStart();
    expect(run.readyAfterMs).toBeLessThan(60_000);
    const printed = run.output.join('');
    expect(printed).toContain(`${run.api}/v1`);
    expect(printed).toContain(`${run.api}/docs`);
    expect(printed).toContain(`Temporal Web UI:  ${run.api}/temporal`);
    // Served by the API on its own origin, from the dev server's UI under its public path.
    const ui = await fetch(`${run.api}/temporal/`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/^text\/html/);
    expect(printed, 'the generated dev admin key, shown on the first start').toContain(
      run.auth.authorization.slice('Bearer '.length),
    );
    expect((await fetch(`${run.api}/v1/launches`)).status, 'no key, no launches').toBe(401);

    const launch = await fetch(`${run.api}/v1/launches`, {
      method: 'POST',
      headers: { ...run.auth, 'content-type': 'application/json', 'idempotency-key': 'persisted-1' },
      body: JSON.stringify({
        imageId: 'img-simeast1-0003',
        name: 'web-1',
        region: 'sim-east-1',
        product: { productId: 'm1.small' },
        group: 'ops',
        billingCode: 'ops-7',
      }),
    });
    expect(launch.status).toBe(202);
    launchId = ((await launch.json()) as { id: string }).id;
    await waitUntil(
      async () =>
        (
          (await (await fetch(`${run.api}/v1/launches/${launchId}`, { headers: run.auth })).json()) as {
            status: string;
          }
        ).status === 'completed',
      20_000,
      'the launch to complete',
    );

    // The worker's SDK metrics, for Prometheus, and the API's own.
    const sdkMetrics = await (await fetch(`http://127.0.0.1:${run.metricsPort}/metrics`)).text();
    expect(sdkMetrics).toMatch(/^temporal_workflow_completed(_total)?\{/m);
    const apiMetrics = await (await fetch(`${run.api}/metrics`, { headers: run.auth })).text();
    expect(apiMetrics).toMatch(/^machine_images_launch_admissions_total\{outcome="accepted"\} 1$/m);

    // DATA_DIR is its owner's alone: the folder 0700, and every file in it 0600, the dev server's database included.
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const modes = readdirSync(dataDir)
      .filter((name) => statSync(path.join(dataDir, name)).isFile())
      .map((name) => `${name} ${(statSync(path.join(dataDir, name)).mode & 0o777).toString(8)}`);
    expect(modes).toEqual(
      expect.arrayContaining(['temporal.db 600', 'sim-cloud.db 600', 'keys.db 600', 'dev-api-key 600']),
    );
    expect(modes.filter((m) => !m.endsWith(' 600'))).toEqual([]);

    const family = [run.child.pid!, ...descendantsOf(run.child.pid!)];
    expect(family.length).toBeGreaterThanOrEqual(3);
    process.kill(-run.child.pid!, 'SIGINT');
    await run.exited;
    await expectAllGone(family);
  });

  it('on the same DATA_DIR sees the workflow history of the first run, and stops whole on SIGTERM to npm alone', async () => {
    expect(launchId).not.toBe('');
    const run = await npmStart();
    const res = await fetch(`${run.api}/v1/launches/${launchId}`, { headers: run.auth });
    expect(res.status).toBe(200);
    expect(run.output.join(''), 'the same key, not shown again').not.toContain(
      run.auth.authorization.slice('Bearer '.length),
    );
    expect(await res.json()).toMatchObject({
      id: launchId,
      status: 'completed',
      plan: { product: { id: 'm1.small' } },
    });

    const family = [run.child.pid!, ...descendantsOf(run.child.pid!)];
    process.kill(run.child.pid!, 'SIGTERM');
    await run.exited;
    await expectAllGone(family);
  });

  it('leaves no Temporal dev server behind even when it is killed with SIGKILL', async () => {
    const run = await npmStart();
    const family = [run.child.pid!, ...descendantsOf(run.child.pid!)];
    const service = family.find(
      (pid) =>
        readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('scripts/start.ts') &&
        readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('node'),
    );
    expect(service, 'the node process running scripts/start.ts').toBeDefined();
    process.kill(service!, 'SIGKILL');
    await expectAllGone(family);
  });
});
