import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port';
import { stopChild } from '../../scripts/stop-child';

export interface Moto {
  /** http://127.0.0.1:<port>, for AwsProvider's `endpoint`. */
  endpoint: string;
  stop(): Promise<void>;
}

const READY_WITHIN_MS = 30_000;
const KILL_AFTER_MS = 5_000;
const INSTALL_HINT = 'install it with: pip install "moto[server]"';

/** moto's EC2 server on a free loopback port, answering HTTP before this resolves. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let spawnError: Error | undefined;
  child.once('error', (err: NodeJS.ErrnoException) => {
    spawnError = err.code === 'ENOENT' ? new Error(`moto_server is not on PATH; ${INSTALL_HINT}`) : err;
  });

  try {
    await waitUntilAnswering(
      endpoint,
      child,
      () => spawnError,
      () => stderr,
    );
  } catch (err) {
    await stopChild(child, KILL_AFTER_MS);
    throw err;
  }
  return { endpoint, stop: () => stopChild(child, KILL_AFTER_MS) };
}

async function waitUntilAnswering(
  endpoint: string,
  child: ChildProcess,
  spawnError: () => Error | undefined,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  while (Date.now() < deadline) {
    const failed = spawnError();
    if (failed) throw failed;
    if (child.exitCode !== null) {
      throw new Error(
        `moto_server exited with code ${child.exitCode} before answering (${INSTALL_HINT}):\n${stderr()}`,
      );
    }
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${READY_WITHIN_MS / 1000} s:\n${stderr()}`);
}
