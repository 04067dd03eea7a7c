import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES, searchAttributeArgs } from '../domain/search-attributes';
import { stopChild } from './stop-child';
import type { TemporalCli } from './temporal-cli';
import { DEFAULT_TOOLS_DIR } from './temporal-cli';

// Starts `temporal server start-dev` with the service's search attributes, for `npm start` and the tests.

/**
 * Runs "$@" (the server) and stops it on SIGTERM/SIGINT/SIGHUP, or when stdin reaches end of file: the parent
 * holds the other end of that pipe, so its death, however sudden, closes it. Exits with the server's status.
 */
const PARENT_DEATH_GUARD = `
exec 3<&0
"$@" </dev/null &
server=$!
trap 'kill -TERM $server 2>/dev/null' TERM INT HUP
{ while read -r _ <&3; do :; done; kill -TERM $server 2>/dev/null; } &
watcher=$!
status=0
while kill -0 $server 2>/dev/null; do wait $server; status=$?; done
kill $watcher 2>/dev/null
exit $status
`;

export interface DevServerOptions {
  cli: TemporalCli;
  ip?: string;
  port: number;
  /** Serve the Web UI on this port; without it the server runs headless. */
  uiPort?: number;
  /** Persist to this SQLite file; without it everything lives in memory. */
  dbFile?: string;
  namespace?: string;
  /** The Web UI's remote codec endpoint, for payloads it cannot read itself (encrypted ones). */
  codecEndpoint?: string;
  say?: (message: string) => void;
  readyTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  /** The process that holds the server (its guard); the server runs below it. Unset for the SDK's download. */
  pid?: number;
  stop(): Promise<void>;
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const address = `${ip}:${options.port}`;
  const uiUrl = options.uiPort ? `http://${ip}:${options.uiPort}` : undefined;
  const namespace = options.namespace ?? 'default';
  if (options.cli.kind === 'sdk-download') {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download', downloadDir: DEFAULT_TOOLS_DIR },
        ip,
        port: options.port,
        namespace,
        ...(options.uiPort ? { ui: true, uiPort: options.uiPort } : {}),
        ...(options.dbFile ? { dbFilename: options.dbFile } : {}),
        ...(options.uiPort && options.codecEndpoint ? { extraArgs: ['--ui-codec-endpoint', options.codecEndpoint] } : {}),
        searchAttributes: SEARCH_ATTRIBUTES,
      },
    });
    return { address, uiUrl, stop: () => env.teardown() };
  }

  const args = [
    'server', 'start-dev',
    '--ip', ip,
    '--port', String(options.port),
    ...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    ...(options.uiPort && options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : []),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...(namespace === 'default' ? [] : ['--namespace', namespace]),
    '--log-level', 'warn',
    ...searchAttributeArgs().flatMap((pair) => ['--search-attribute', pair]),
  ];
  options.say?.(`starting the Temporal dev server: ${options.cli.path} ${args.join(' ')}`);
  // Its own process group, so a Ctrl+C reaches us and we stop the server last, after the worker has drained;
  // behind a guard that stops it when our end of its stdin closes, even if we die by SIGKILL.
  const child = spawn('sh', ['-c', PARENT_DEATH_GUARD, 'temporal-guard', options.cli.path, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString().split('\n').filter(Boolean));
    output.splice(0, Math.max(0, output.length - 20));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const killOnExit = () => child.kill('SIGTERM');
  process.on('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    await stopChild(child);
  };
  try {
    await waitUntilServing(address, child, output, options.readyTimeoutMs ?? 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, uiUrl, stop, ...(child.pid ? { pid: child.pid } : {}) };
}

async function waitUntilServing(address: string, child: ChildProcess, output: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the Temporal dev server exited (${child.exitCode ?? child.signalCode}) before serving:\n${output.join('\n')}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch {
      if (Date.now() > deadline) throw new Error(`the Temporal dev server did not serve on ${address} within ${timeoutMs} ms:\n${output.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** SIGTERM, then SIGKILL after ten seconds: the server flushes SQLite on a clean stop. */
