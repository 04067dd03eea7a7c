import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES, searchAttributeArgs } from '../domain/search-attributes';
import { spawnGuarded } from './guarded-child';
import { waitUntilServing } from './temporal-serving';
import type { TemporalCli } from './temporal-cli';
import { DEFAULT_TOOLS_DIR } from '../config/paths';

// Starts `temporal server start-dev` with the service's search attributes, for `npm start` and the tests.

/**
 * Dynamic configuration the service relies on, as scripts/cluster/dynamic-config.yaml sets it for a cluster: after two
 * failed workflow tasks in a row a workflow carries TemporalReportedProblems, so /metrics can count stuck workflows
 * (and the Web UI lists them) with one visibility query.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Record<string, string> = {
  'system.numConsecutiveWorkflowTaskProblemsToTriggerSearchAttribute': '2',
};
/** The Web UI's flags: no newsfeed fetched from outside, and where it is served and decodes. */
const uiArgs = (options: DevServerOptions): string[] =>
  options.uiPort
    ? [
        '--ui-disable-news-fetch',
        ...(options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : []),
        ...(options.uiPublicPath ? ['--ui-public-path', options.uiPublicPath] : []),
      ]
    : [];

const dynamicConfigArgs = (): string[] =>
  Object.entries(DEV_SERVER_DYNAMIC_CONFIG).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${value}`]);

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
  /** The path the Web UI is served under, when a reverse proxy serves it there (the API's /temporal). */
  uiPublicPath?: string;
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
  const uiUrl = options.uiPort ? `http://${ip}:${options.uiPort}${options.uiPublicPath ?? ''}` : undefined;
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
        extraArgs: [...dynamicConfigArgs(), ...uiArgs(options)],
        searchAttributes: SEARCH_ATTRIBUTES,
      },
    });
    return { address, uiUrl, stop: () => env.teardown() };
  }

  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(options.port),
    ...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    ...uiArgs(options),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...(namespace === 'default' ? [] : ['--namespace', namespace]),
    '--log-level',
    'warn',
    ...dynamicConfigArgs(),
    ...searchAttributeArgs().flatMap((pair) => ['--search-attribute', pair]),
  ];
  options.say?.(`starting the Temporal dev server: ${options.cli.path} ${args.join(' ')}`);
  // Stopped last, after the worker has drained; and even if we die by SIGKILL (the guard).
  const server = spawnGuarded('temporal', options.cli.path, args);
  const stop = () => server.stop();
  try {
    const connection = await waitUntilServing(
      { address, connectTimeout: 1_000 },
      { name: 'the Temporal dev server', server, timeoutMs: options.readyTimeoutMs ?? 60_000 },
    );
    await connection.close();
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, uiUrl, stop, ...(server.child.pid ? { pid: server.child.pid } : {}) };
}
