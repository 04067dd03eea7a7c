import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../config/free-port';
import { PROJECT_ROOT } from '../../config/paths';
import { bearer } from '../support/api-keys';
import { ownNamespace } from '../support/namespace';
import { isAlive, waitUntil } from '../support/processes';
import { keysFileText, newKey } from '../support/replicas';

// `npm run api` as production runs it: SIGHUP reads the keys file again and the API keeps serving; a change to the
// file applies by itself; SIGTERM still stops it.
describe('the API process (api/server.ts)', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'api-server-'));
  const keysFile = path.join(dir, 'keys.json');
  const admin = newKey('admin', 'admin', ['*']);
  const alice = newKey('alice', 'operator');
  let pid: number | undefined;
  let dropNamespace: (() => Promise<void>) | undefined;

  afterAll(async () => {
    if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    await dropNamespace?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads its keys again on SIGHUP and when the file changes, and stops on SIGTERM', async () => {
    // A namespace of its own: the API brings the reaper's schedule up to date at start.
    const own = await ownNamespace('api-server');
    dropNamespace = own.drop;
    writeFileSync(keysFile, keysFileText(admin.entry, alice.entry));
    const port = await freePort();
    const output: string[] = [];
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PORT: String(port),
        DATA_DIR: path.join(dir, 'data'),
        API_KEYS_FILE: keysFile,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_NAMESPACE: own.namespace,
        TEMPORAL_TASK_QUEUE: `api-server-${randomUUID()}`,
        LOG_LEVEL: 'info',
      },
    });
    pid = child.pid;
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const api = `http://127.0.0.1:${port}`;
    const status = async (token: string) => (await fetch(`${api}/v1/billing-codes`, { headers: bearer(token) })).status;
    await waitUntil(
      async () => (await fetch(`${api}/v1/health`).catch(() => undefined))?.status === 200,
      60_000,
      `the API to listen; it printed:\n${output.join('')}`,
    );
    expect(await status(alice.token)).toBe(200);

    const reloadLines = () =>
      output
        .join('')
        .split('\n')
        .filter((line) => line.includes('"reason":"SIGHUP"') && line.includes('read again'));
    process.kill(child.pid!, 'SIGHUP');
    await waitUntil(() => reloadLines().length === 1, 10_000, `the reload on SIGHUP; it printed:\n${output.join('')}`);
    expect(isAlive(child.pid!), 'SIGHUP does not stop the API').toBe(true);
    expect(await status(alice.token)).toBe(200);

    writeFileSync(keysFile, keysFileText(admin.entry));
    await waitUntil(async () => (await status(alice.token)) === 401, 10_000, 'the removed key to be refused');

    process.kill(child.pid!, 'SIGTERM');
    expect(await exited).toBe(0);
  });
});
