import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config';
import { distinctFreePorts, freePortIn } from '../../config/free-port';
import { temporalEndpoint } from '../../config/temporal-settings';
import { ensureCertificates } from '../../scripts/cluster/certificates';
import { prepareNamespace } from '../../scripts/cluster/namespace';
import { startPostgres, type Postgres } from '../../scripts/cluster/postgres';
import { ensureServerBuild } from '../../scripts/cluster/server-build';
import { DYNAMIC_CONFIG_FILE, setUpSchema } from '../../scripts/cluster/temporal-server';
import { spawnGuarded, type GuardedChild } from '../../scripts/guarded-child';
import { PROJECT_ROOT } from '../../config/paths';
import { waitUntil } from '../support/processes';

// No Docker engine here, so docker-compose.yml's `temporal` service runs as the binary its Dockerfile builds, with
// the environment that docker-compose.yml and docker-compose.tls.yml give it (hosts, ports and paths mapped onto
// this machine), and the api's TLS variables as its client. What compose would run is run.

type Environment = Record<string, string | number>;
const composeFile = (name: string) =>
  parse(readFileSync(path.join(PROJECT_ROOT, name), 'utf8'), { merge: true }) as {
    services: Record<string, { environment?: Environment }>;
  };

describe("docker-compose.yml's Temporal server, with docker-compose.tls.yml", { timeout: 120_000 }, () => {
  const root = mkdtempSync(path.join(tmpdir(), 'compose-temporal-'));
  let postgres: Postgres;
  let server: GuardedChild;
  let client: Client;

  beforeAll(async () => {
    const build = await ensureServerBuild(() => undefined);
    const [pgPort, frontend, frontendHttp, history, matching, worker, internalFrontend, metrics] =
      await distinctFreePorts(8);
    const membership = await distinctFreePorts(4, () => freePortIn(20_000, 32_000));
    postgres = await startPostgres({ clusterDir: path.join(root, 'cluster'), port: pgPort!, say: () => undefined });
    await setUpSchema(build, postgres, () => undefined);
    const certs = ensureCertificates(path.join(root, 'tls'), { serverNames: ['temporal', 'localhost', '127.0.0.1'] });
    const onThisMachine = (value: string | number) => String(value).replace(/^\/tls\//, `${certs.dir}/`);
    // Every file the compose files name inside a container is mounted there from .data/tls.
    const tls = composeFile('docker-compose.tls.yml') as { services: Record<string, { volumes?: string[] }> };
    expect(tls.services.temporal?.volumes).toEqual(
      ['ca.pem', 'server.pem', 'server.key'].map((file) => `./.data/tls/${file}:/tls/${file}:ro`),
    );
    const composed = {
      ...composeFile('docker-compose.yml').services.temporal?.environment,
      ...composeFile('docker-compose.tls.yml').services.temporal?.environment,
    };
    const dockerfile = readFileSync(path.join(PROJECT_ROOT, 'scripts/cluster/Dockerfile'), 'utf8');
    expect(dockerfile).toContain('ENV DYNAMIC_CONFIG_FILE_PATH=');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      ...Object.fromEntries(Object.entries(composed).map(([name, value]) => [name, onThisMachine(value)])),
      // What the compose network gives by name, this machine gives on loopback.
      POSTGRES_SEEDS: '127.0.0.1',
      DB_PORT: String(postgres.port),
      POSTGRES_USER: postgres.user,
      POSTGRES_PWD: postgres.password,
      BIND_ON_IP: '127.0.0.1',
      TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
      DYNAMIC_CONFIG_FILE_PATH: DYNAMIC_CONFIG_FILE,
      FRONTEND_GRPC_PORT: String(frontend),
      FRONTEND_HTTP_PORT: String(frontendHttp),
      HISTORY_GRPC_PORT: String(history),
      MATCHING_GRPC_PORT: String(matching),
      WORKER_GRPC_PORT: String(worker),
      INTERNAL_FRONTEND_GRPC_PORT: String(internalFrontend),
      FRONTEND_MEMBERSHIP_PORT: String(membership[0]),
      HISTORY_MEMBERSHIP_PORT: String(membership[1]),
      MATCHING_MEMBERSHIP_PORT: String(membership[2]),
      WORKER_MEMBERSHIP_PORT: String(membership[3]),
      PROMETHEUS_ENDPOINT: `127.0.0.1:${metrics}`,
      LOG_LEVEL: 'error',
    };
    // The Dockerfile's ENTRYPOINT and CMD.
    server = spawnGuarded('compose-temporal', build.server, ['--allow-no-auth', 'start'], { env, keepLines: 40 });

    // The api's own settings from docker-compose.tls.yml, its address mapped as the rest.
    const apiEnv = composeFile('docker-compose.tls.yml').services.api?.environment ?? {};
    const config = loadConfig({
      ...Object.fromEntries(Object.entries(apiEnv).map(([name, value]) => [name, onThisMachine(value)])),
      TEMPORAL_ADDRESS: `127.0.0.1:${frontend}`,
    });
    expect(config.temporal.summary).toContain('mutual TLS');
    let connection: Connection | undefined;
    await waitUntil(
      async () => {
        if (server.exited()) throw new Error(`the server exited:\n${server.output().join('\n')}`);
        connection = await Connection.connect({ ...temporalEndpoint(config.temporal), connectTimeout: 2_000 }).catch(
          () => undefined,
        );
        return connection !== undefined;
      },
      90_000,
      'the compose Temporal server to serve over mutual TLS',
    );
    await prepareNamespace(connection!, 'default', () => undefined);
    client = new Client({ connection: connection!, namespace: 'default' });
  }, 600_000);

  afterAll(async () => {
    await client?.connection.close();
    await server?.stop();
    await postgres?.stop();
    if (postgres)
      for (const dir of [postgres.dataDir, postgres.socketDir]) rmSync(dir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  it("serves over mutual TLS with the namespace and the service's search attributes", async () => {
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(Object.keys(customAttributes ?? {})).toEqual(
      expect.arrayContaining(['ImageId', 'BillingCode', 'LaunchStep', 'ImageFamily']),
    );
  });

  it('runs schedules behind the mutual-TLS frontend: a triggered schedule starts its workflow', async () => {
    const handle = await client.schedule.create({
      scheduleId: 'compose-check',
      spec: { intervals: [{ every: '1 day' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'composeCheck',
        taskQueue: 'compose-check',
        workflowId: 'compose-check-run',
      },
    });
    await handle.trigger();
    await waitUntil(
      async () => (await client.workflow.count("WorkflowType = 'composeCheck'")).count > 0,
      60_000,
      'the schedule to start its workflow',
    );
    await handle.delete();
  });
});
