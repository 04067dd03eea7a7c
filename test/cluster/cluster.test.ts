import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../config/config';
import { familyScheduleId } from '../../domain/families';
import { SimProvider } from '../../providers/sim/sim-provider';
import { ensureCertificates } from '../../scripts/cluster/certificates';
import { startCluster, type Cluster } from '../../scripts/cluster/cluster';
import { clusterTls } from '../../scripts/cluster/temporal-server';
import { PROJECT_ROOT } from '../../config/paths';
import { payloadCodecs } from '../../secrets/service-keyrings';
import { LAUNCH_BODY } from '../support/launches';
import { freePort } from '../support/free-port';
import { isAlive, processesMentioning, waitUntil } from '../support/processes';

// The production path, for real: the Temporal server built from its Go module, on PostgreSQL, with mutual TLS on
// its frontend (scripts/cluster), and `npm start` pointed at it by the Temporal CLI's own variables: no dev server.

const REGION = 'sim-east-1';
const BILLING_CODE = `cluster-${process.pid}`;
const FAMILY = 'cluster-ubuntu';
/** A launch named so is never ready (the sim's fault plan): the one to cancel. */
const STUCK = 'stuck-on-cluster';

describe('on a Temporal cluster over PostgreSQL with mutual TLS', { timeout: 180_000 }, () => {
  const root = mkdtempSync(path.join(tmpdir(), 'machine-images-cluster-'));
  const dataDir = path.join(root, 'data');
  let cluster: Cluster;
  let service: ChildProcess | undefined;
  let api = '';
  let auth: Record<string, string> = {};
  let client: Client;
  let sim: SimProvider;
  const output: string[] = [];
  const launched: string[] = [];

  beforeAll(async () => {
    // The build itself (about 10 minutes) is .ci/run's `npm run cluster:build`; here it is normally reused.
    cluster = await startCluster({ dir: path.join(root, 'cluster'), ephemeral: true });
    const familiesFile = path.join(root, 'families.json');
    writeFileSync(
      familiesFile,
      JSON.stringify([
        {
          name: FAMILY,
          source: { namePattern: 'ubuntu-24.04-x86_64-*', architecture: 'x86_64' },
          regions: [REGION],
          retention: { keepNewest: 2 },
          schedule: { every: '24h' },
        },
      ]),
    );
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    service = spawn('npm', ['start'], {
      cwd: PROJECT_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...cluster.env,
        DATA_DIR: dataDir,
        PORT: String(port),
        SIM_TIME_SCALE: '0',
        SIM_FAULTS: JSON.stringify({
          scripted: [{ operation: 'statusChecks', match: { serverName: STUCK }, impaired: true }],
        }),
        FAMILIES_FILE: familiesFile,
        // Would be used if the cluster's address were ignored: it must not be.
        TEMPORAL_CLI_PATH: '/nonexistent/temporal',
        LOG_LEVEL: 'warn',
      },
    });
    service.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    service.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    let exit: number | null | undefined;
    service.once('exit', (code) => (exit = code));
    await waitUntil(
      async () => {
        if (exit !== undefined) throw new Error(`npm start exited (${exit}) before it was ready:\n${output.join('')}`);
        return (await fetch(`${api}/v1/ready`).catch(() => undefined))?.status === 200;
      },
      120_000,
      `npm start on the cluster to be ready; it printed:\n${output.join('')}`,
    );
    auth = { authorization: `Bearer ${readFileSync(path.join(dataDir, 'dev-api-key'), 'utf8').trim()}` };
    // With the service's own payload codec keys, as an operator's client would be set up.
    const codecs = payloadCodecs(loadConfig({ DATA_DIR: dataDir }));
    client = new Client({
      connection: await Connection.connect({ address: cluster.address, tls: clusterTls(cluster.certs) }),
      namespace: cluster.namespace,
      dataConverter: { payloadCodecs: codecs },
    });
    // The service's sim cloud, read from here as a second process would.
    sim = new SimProvider({ dbFile: path.join(dataDir, 'sim-cloud.db'), timeScale: 0 });
  }, 900_000);

  afterAll(async () => {
    sim?.close();
    await client?.connection.close();
    if (service?.pid && isAlive(service.pid)) {
      process.kill(-service.pid, 'SIGINT');
      await waitUntil(() => !isAlive(service!.pid!), 30_000, 'npm start to stop').catch(() =>
        process.kill(-service!.pid!, 'SIGKILL'),
      );
    }
    await cluster?.stop();
    for (const pid of processesMentioning(root)) process.kill(pid, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }, 120_000);

  /** A JSON answer, read as the tests read any HTTP body. */
  type Answer = ReturnType<typeof JSON.parse>;
  const call = async (method: string, url: string, body?: object) => {
    const response = await fetch(api + url, {
      method,
      headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Answer };
  };
  const untilClosed = async (url: string) => {
    let view: Answer = {};
    await waitUntil(
      async () => (view = (await call('GET', url)).body).status !== 'running',
      120_000,
      `${url} to close`,
    );
    return view;
  };

  it('says it runs on the cluster, with no dev server', () => {
    const printed = output.join('');
    expect(printed).toContain(
      `Temporal cluster: ${cluster.address}, namespace default, mutual TLS as CN=machine-images cluster client`,
    );
    expect(printed).not.toContain('Temporal Web UI');
    expect(printed).not.toContain('BEGIN');
  });

  it('completes a full launch: 4 disks in raid10 with LUKS, a key pair and a firewall created', async () => {
    const launch = await call('POST', '/v1/launches', {
      ...LAUNCH_BODY,
      name: 'cluster-web',
      billingCode: BILLING_CODE,
      volumes: { count: 4, sizeGb: 10, raid: 'raid10', encrypt: true, filesystem: 'xfs', mountPoint: '/data' },
      keypair: { create: {} },
      firewall: { create: { rules: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' }] } },
    });
    expect(launch.status, JSON.stringify(launch.body)).toBe(202);
    launched.push(launch.body.id);
    const done = await untilClosed(launch.body.statusUrl);
    expect(done).toMatchObject({
      status: 'completed',
      privateKeyAvailable: true,
      server: { id: expect.stringMatching(/^i-/) },
    });
    const server = await sim.getServer(REGION, done.server.id);
    expect(server.state).toBe('running');
    const volumes = await sim.listVolumes(REGION, { tag: { key: 'workflow-id', value: launch.body.id } });
    expect(volumes).toHaveLength(4);
    expect((await sim.listFirewalls(REGION, { tag: { key: 'workflow-id', value: launch.body.id } })).length).toBe(1);
    expect((await sim.listKeypairs(REGION)).some((k) => k.tags['workflow-id'] === launch.body.id)).toBe(true);
  });

  it('captures an image from that server, and clones a provided template', async () => {
    const [serverId] = (await sim.listServers(REGION, { tag: { key: 'workflow-id', value: launched[0]! } })).map(
      (s) => s.id,
    );
    const capture = await call('POST', '/v1/images', {
      region: REGION,
      serverId,
      name: 'cluster-capture',
      reboot: true,
    });
    expect(capture.status, JSON.stringify(capture.body)).toBe(202);
    expect(await untilClosed(capture.body.statusUrl)).toMatchObject({
      type: 'captureImage',
      status: 'completed',
      result: { state: 'available' },
    });

    const ubuntu = (await sim.searchPublicImages(REGION, { q: 'ubuntu-24.04-x86_64-*', limit: 1 })).items[0]!;
    const clone = await call('POST', `/v1/images/${ubuntu.id}/clone`, { region: REGION, name: 'cluster-clone' });
    expect(clone.status, JSON.stringify(clone.body)).toBe(202);
    expect(await untilClosed(clone.body.statusUrl)).toMatchObject({
      type: 'cloneTemplate',
      status: 'completed',
      result: { sourceImageId: ubuntu.id, image: { visibility: 'private' } },
    });
  });

  it("runs a family refresh started by its schedule (the server's own scheduler, a client of the mTLS frontend)", async () => {
    await client.schedule.getHandle(familyScheduleId(FAMILY)).trigger();
    let runs: Answer[] = [];
    await waitUntil(
      async () => {
        runs = (await call('GET', `/v1/families/${FAMILY}/runs`)).body.items ?? [];
        return runs.some((run: Answer) => run.status === 'completed');
      },
      120_000,
      `a completed run of family ${FAMILY}`,
    );
    expect(runs.find((run: Answer) => run.status === 'completed')).toMatchObject({
      dryRun: false,
      report: { family: FAMILY },
    });
    const description = await client.schedule.getHandle(familyScheduleId(FAMILY)).describe();
    expect(description.info.recentActions.length).toBeGreaterThan(0);
  });

  it('cancels a launch waiting for readiness, leaving nothing behind', async () => {
    const launch = await call('POST', '/v1/launches', {
      ...LAUNCH_BODY,
      name: STUCK,
      billingCode: BILLING_CODE,
      volumes: { count: 1, sizeGb: 5 },
    });
    expect(launch.status).toBe(202);
    launched.push(launch.body.id);
    await waitUntil(
      async () => Boolean((await call('GET', launch.body.statusUrl)).body.waitingFor),
      60_000,
      'the launch to wait for readiness',
    );
    expect((await call('POST', `/v1/launches/${launch.body.id}/cancel`)).status).toBe(202);
    expect(await untilClosed(launch.body.statusUrl)).toMatchObject({ status: 'cancelled' });
    const tag = { key: 'workflow-id', value: launch.body.id };
    expect((await sim.listServers(REGION, { tag })).filter((s) => s.state !== 'terminated')).toEqual([]);
    expect(await sim.listVolumes(REGION, { tag })).toEqual([]);
  });

  it('the temporal CLI, with the same environment, lists those launches by billing code', async () => {
    const list = async () => {
      const { stdout } = await promisify(execFile)(
        inject('temporalCliPath'),
        ['workflow', 'list', '--query', `BillingCode='${BILLING_CODE}'`, '--output', 'json'],
        { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...cluster.env } },
      );
      return (JSON.parse(stdout) as { execution: { workflowId: string } }[]).map((w) => w.execution.workflowId).sort();
    };
    // Visibility follows the history a moment later.
    let listed: string[] = [];
    await waitUntil(
      async () => (listed = await list()).length >= launched.length,
      30_000,
      'the CLI to list both launches',
    );
    expect(listed).toEqual([...launched].sort());
  });

  it('refuses a client with no certificate, and one whose certificate another CA signed', async () => {
    const ca = readFileSync(cluster.certs.caCert);
    const systemInfo = async (tls: NativeConnectionOptions['tls']) => {
      const connection = await NativeConnection.connect({ address: cluster.address, tls });
      try {
        return await connection.workflowService.getSystemInfo({});
      } finally {
        await connection.close();
      }
    };
    // The control: the cluster's own client certificate is served.
    await expect(systemInfo(clusterTls(cluster.certs))).resolves.toBeDefined();
    // TLS 1.3: the server checks the client's certificate after the handshake and hangs up; the client sees its alert
    // or, depending on timing, only the hang-up (a broken pipe, a reset, a closed connection).
    await expect(systemInfo({ serverNameOverride: 'localhost', serverRootCACertificate: ca })).rejects.toThrow(
      /broken pipe|connection ?reset|connection closed|CertificateRequired/i,
    );
    const rogue = ensureCertificates(path.join(root, 'rogue'), { commonName: 'rogue' });
    await expect(
      systemInfo({
        serverNameOverride: 'localhost',
        serverRootCACertificate: ca,
        clientCertPair: { crt: readFileSync(rogue.clientCert), key: readFileSync(rogue.clientKey) },
      }),
    ).rejects.toThrow(/UnknownCA|BadCertificate|broken pipe|connection ?reset|connection closed/i);
  });

  it('restarts the Temporal server alone, and the service carries on with a launch after it', async () => {
    const serverPids = cluster.pids;
    await cluster.restartServer();
    // A new server process on the same frontend, the same PostgreSQL.
    expect(cluster.pids).not.toEqual(serverPids);
    expect(await client.workflow.getHandle(launched[0]!).describe()).toMatchObject({ status: { name: 'COMPLETED' } });
    // npm start's API and worker reconnect by themselves (the API may answer 503 while its connection comes back).
    let launch: { status: number; body: Answer } = { status: 0, body: {} };
    await waitUntil(
      async () =>
        (launch = await call('POST', '/v1/launches', {
          ...LAUNCH_BODY,
          name: 'after-restart',
          billingCode: BILLING_CODE,
        })).status === 202,
      60_000,
      'a launch accepted after the restart',
    );
    expect(await untilClosed(launch.body.statusUrl)).toMatchObject({ status: 'completed' });
  });

  it('a worker started with the wrong CA exits at once, naming the CA setting and printing no key', async () => {
    const rogue = ensureCertificates(path.join(root, 'rogue'), { commonName: 'rogue' });
    // The timeout is the "never hangs": a worker still running then is killed, and its code is not 1.
    const result = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        ...cluster.env,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: rogue.caCert,
        DATA_DIR: path.join(root, 'wrong-ca'),
      },
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code?: number; stderr?: string }) => ({ code: err.code, stderr: err.stderr ?? '' }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `TEMPORAL_TLS_SERVER_CA_CERT_PATH=${rogue.caCert}: the certificate that ${cluster.address} presented is not signed by this CA`,
    );
    expect(result.stderr).not.toMatch(/BEGIN|PRIVATE KEY/);
  });
});
