import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { distinctFreePorts, freePortIn } from '../../config/free-port';
import { ensureCertificates, type ClusterCertificates } from './certificates';
import { startPostgres } from './postgres';
import { ensureServerBuild } from './server-build';
import { setUpSchema, startTemporalServer, type ServerPorts } from './temporal-server';

// A production-shaped Temporal on this machine: PostgreSQL, the schema tool, the server built from its Go module,
// mutual TLS on the frontend. `npm run cluster` runs it on fixed ports; the tests on free ones.

export interface ClusterOptions {
  /** Certificates, configuration and the database password live here (`<DATA_DIR>/cluster`). */
  dir: string;
  namespace?: string;
  /** The frontend's port and the rest: fixed for `npm run cluster`, free ones when unset. */
  ports?: ServerPorts & { postgres: number };
  say?: (line: string) => void;
  onServerLog?: (line: string) => void;
  /** Remove PostgreSQL's data when stopped (the tests' clusters); `npm run cluster` keeps it. */
  ephemeral?: boolean;
}

export interface Cluster {
  address: string;
  namespace: string;
  certs: ClusterCertificates;
  metricsUrl: string;
  /** What points the service and the temporal CLI at this cluster. */
  env: Record<string, string>;
  /** The processes that hold the Temporal server and PostgreSQL (their guards), for the benches' CPU figures. */
  readonly pids: number[];
  /**
   * Stops the Temporal server alone and starts it again on the same ports and database (the chaos bench's restart);
   * `whileDown` runs once it has stopped.
   */
  restartServer(whileDown?: () => void): Promise<void>;
  /** Stops the server, then PostgreSQL. */
  stop(): Promise<void>;
}

/** The ports `npm run cluster` uses: beside the dev server's 7233 rather than on it, so both can run. */
export function fixedPorts(frontend = 17233): ServerPorts & { postgres: number } {
  return {
    frontend,
    frontendHttp: frontend + 10,
    history: frontend + 1,
    matching: frontend + 2,
    worker: frontend + 6,
    membership: [frontend - 300, frontend - 299, frontend - 298, frontend - 294],
    metrics: frontend + 767,
    postgres: frontend - 1801,
  };
}

async function freePorts(): Promise<ServerPorts & { postgres: number }> {
  const [frontend, frontendHttp, history, matching, worker, metrics, postgres] = (await distinctFreePorts(7)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // Stored as a smallint in the cluster_membership table: below the kernel's ephemeral range.
  const membership = (await distinctFreePorts(4, () => freePortIn(20_000, 32_000))) as [number, number, number, number];
  return { frontend, frontendHttp, history, matching, worker, membership, metrics, postgres };
}

/** The Temporal CLI's and the SDK's own variables (envconfig): the same names serve both. */
function clusterEnvironment(address: string, namespace: string, certs: ClusterCertificates): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert,
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
  };
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const say = options.say ?? (() => undefined);
  const namespace = options.namespace ?? 'default';
  const dir = path.resolve(options.dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const build = await ensureServerBuild(say);
  const certs = ensureCertificates(path.join(dir, 'tls'));
  const ports = options.ports ?? (await freePorts());
  const postgres = await startPostgres({ clusterDir: dir, port: ports.postgres, say });
  try {
    await setUpSchema(build, postgres, say);
    const startServer = () =>
      startTemporalServer({
        build,
        postgres,
        certs,
        ports,
        clusterDir: dir,
        namespace,
        say,
        ...(options.onServerLog ? { onLog: options.onServerLog } : {}),
      });
    let server = await startServer();
    return {
      address: server.address,
      namespace,
      certs,
      metricsUrl: server.metricsUrl,
      env: clusterEnvironment(server.address, namespace, certs),
      get pids() {
        return [...server.pids, ...postgres.pids];
      },
      async restartServer(whileDown) {
        await server.stop();
        whileDown?.();
        server = await startServer();
      },
      async stop() {
        try {
          await server.stop();
        } finally {
          await postgres.stop();
          if (options.ephemeral)
            for (const dir of [postgres.dataDir, postgres.socketDir]) rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    await postgres.stop();
    if (options.ephemeral)
      for (const dir of [postgres.dataDir, postgres.socketDir]) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
