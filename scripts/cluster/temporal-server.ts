import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { spawnGuarded } from '../guarded-child';
import { waitUntilServing } from '../temporal-serving';
import type { ClusterCertificates } from './certificates';
import { prepareNamespace } from './namespace';
import type { Postgres } from './postgres';
import type { ServerBuild } from './server-build';

// The Temporal server from its Go module, over the cluster's PostgreSQL (history and SQL visibility), with mutual
// TLS on its frontend. The schema is set up and migrated by the server's own schema tool, as docker-compose.yml does.

export interface ServerPorts {
  frontend: number;
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  /** Membership (ringpop) ports of the four services, in the same order. */
  membership: [number, number, number, number];
  metrics: number;
}

export interface TemporalServer {
  address: string;
  metricsUrl: string;
  pids: number[];
  stop(): Promise<void>;
}

/** The databases and the schema tool's embedded schema of each; docker-compose.yml's temporal-schema does the same. */
export const DATABASES = [
  { name: 'temporal', schema: 'postgresql/v12/temporal' },
  { name: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
] as const;

/** Creates both databases if need be and brings their schemas to this server version's (both steps are idempotent). */
export async function setUpSchema(build: ServerBuild, postgres: Postgres, say: (line: string) => void): Promise<void> {
  for (const database of DATABASES) {
    const tool = (args: string[]) =>
      promisify(execFile)(
        build.sqlTool,
        [
          '--plugin',
          'postgres12',
          '--ep',
          '127.0.0.1',
          '-p',
          String(postgres.port),
          '-u',
          postgres.user,
          '--db',
          database.name,
          ...args,
        ],
        {
          env: { ...process.env, SQL_PASSWORD: postgres.password },
        },
      ).catch((err: { stderr?: string; message: string }) => {
        throw new Error(
          `temporal-sql-tool ${args[0]} for ${database.name} failed: ${err.stderr?.trim() || err.message}`,
        );
      });
    // create-database fails when the database exists; that is the restarted cluster's case, and setup-schema with
    // version 0.0 is a no-op on a versioned schema, so the update below is what matters.
    await tool(['create-database']).catch((err: Error) => {
      if (!/already exists/.test(err.message)) throw err;
    });
    await tool(['setup-schema', '-v', '0.0']);
    await tool(['update-schema', '--schema-name', database.schema]);
    say(`schema ${database.schema}: up to date in database ${database.name}`);
  }
}

function serverConfig(
  postgres: Postgres,
  certs: ClusterCertificates,
  ports: ServerPorts,
  dynamicConfigFile: string,
): unknown {
  const datastore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `127.0.0.1:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number, extra: object = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  const trustOurCa = { serverName: 'localhost', rootCaFiles: [certs.caCert] };
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: 4,
      datastores: {
        'postgres-default': datastore('temporal', 20),
        'postgres-visibility': datastore('temporal_visibility', 10),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      tls: {
        // Clients (the service, the temporal CLI) must present a certificate signed by the cluster's CA.
        frontend: {
          server: {
            certFile: certs.serverCert,
            keyFile: certs.serverKey,
            clientCaFiles: [certs.caCert],
            requireClientAuth: true,
          },
          client: trustOurCa,
        },
        // The server's own system worker (schedules, namespace deletion) is a frontend client like any other.
        systemWorker: { certFile: certs.clientCert, keyFile: certs.clientKey, client: trustOurCa },
      },
      metrics: {
        prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `127.0.0.1:${ports.metrics}` },
      },
    },
    services: {
      frontend: rpc(ports.frontend, ports.membership[0], { httpPort: ports.frontendHttp }),
      history: rpc(ports.history, ports.membership[1]),
      matching: rpc(ports.matching, ports.membership[2]),
      worker: rpc(ports.worker, ports.membership[3]),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `localhost:${ports.frontend}`,
          httpAddress: `localhost:${ports.frontendHttp}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
}

/** The dynamic configuration, one file for every way the server runs here (the Dockerfile copies it too). */
export const DYNAMIC_CONFIG_FILE = fileURLToPath(new URL('./dynamic-config.yaml', import.meta.url));

export interface StartServerOptions {
  build: ServerBuild;
  postgres: Postgres;
  certs: ClusterCertificates;
  ports: ServerPorts;
  /** Where the rendered configuration is written (0600: it holds the database password). */
  clusterDir: string;
  namespace: string;
  say: (line: string) => void;
  /** Every line the server logs; by default only its last lines, in a failure's message. */
  onLog?: (line: string) => void;
}

export async function startTemporalServer(options: StartServerOptions): Promise<TemporalServer> {
  const configFile = path.join(options.clusterDir, 'temporal-server.yaml');
  // JSON is YAML: no YAML writer needed.
  writeFileSync(
    configFile,
    JSON.stringify(serverConfig(options.postgres, options.certs, options.ports, DYNAMIC_CONFIG_FILE), null, 2),
    { mode: 0o600 },
  );
  const address = `127.0.0.1:${options.ports.frontend}`;
  options.say(`Temporal server: starting ${options.build.server} with ${configFile}`);
  const server = spawnGuarded(
    'temporal-server',
    options.build.server,
    ['--config-file', configFile, '--allow-no-auth', 'start'],
    {
      killAfterMs: 20_000,
      keepLines: 40,
      ...(options.onLog ? { onLine: options.onLog } : {}),
    },
  );
  try {
    const connection = await waitUntilServing(
      { address, tls: clusterTls(options.certs) },
      { name: 'the Temporal server', server, timeoutMs: 120_000, show: briefly },
    );
    try {
      await prepareNamespace(connection, options.namespace, options.say);
    } finally {
      await connection.close();
    }
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    address,
    metricsUrl: `http://127.0.0.1:${options.ports.metrics}/metrics`,
    pids: server.child.pid ? [server.child.pid] : [],
    stop: () => server.stop(),
  };
}

/** A client of the cluster over mTLS, with the cluster's own client certificate. */
export function clusterTls(certs: ClusterCertificates) {
  return {
    serverNameOverride: 'localhost',
    serverRootCACertificate: readFileSync(certs.caCert),
    clientCertPair: { crt: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) },
  };
}

/** The server logs JSON with stack traces; a failure's message keeps the level, message and error of each line. */
export function briefly(lines: string[]): string {
  return lines
    .map((line) => {
      try {
        const entry = JSON.parse(line) as { level?: string; msg?: string; error?: string };
        return [entry.level, entry.msg, entry.error].filter(Boolean).join(': ');
      } catch {
        return line;
      }
    })
    .join('\n');
}
