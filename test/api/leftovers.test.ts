import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../config/free-port';
import type { ReapItem } from '../../domain/reaper';
import type { SimProvider } from '../../providers/sim/sim-provider';
import { secretRefs } from '../../secrets/key-store';
import { startTestApi } from '../support/api';
import { LAUNCH_BODY, leftovers } from '../support/launches';

const run = promisify(execFile);
const region = 'sim-east-1';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SSH_REFUSED = 'ssh to 198.51.100.7:22: connection refused';

// Nothing a launch made outlives its purpose: terminating its server takes what was made for that server alone, the
// reaper takes what a workflow stopped from outside left, and one deadline bounds a launch from provisioning to ready.
describe('terminate, the reaper and the launch deadline leave nothing behind (sim)', () => {
  let env: Awaited<ReturnType<typeof startTestApi>>;
  let sim: SimProvider;
  let metricsPort: number;
  beforeAll(async () => {
    // The worker's SDK metrics, where the reaper counts what it removed (this file's process has no other runtime).
    metricsPort = await freePort();
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPort}` } } },
    });
    env = await startTestApi();
    sim = env.temporal.provider as SimProvider;
  });
  afterAll(async () => env?.stop());

  const get = async (url: string) => (await env.app.inject({ method: 'GET', url })).json();
  async function launch(payload: object): Promise<string> {
    const res = await env.app.inject({ method: 'POST', url: '/v1/launches', payload: { ...LAUNCH_BODY, ...payload } });
    expect(res.statusCode, res.body).toBe(202);
    return res.json().id;
  }
  async function untilClosed(url: string, timeoutMs = 60_000) {
    for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(200)) {
      const view = await get(url);
      if (view.status !== 'running') return view;
    }
    throw new Error(`${url} still running after ${timeoutMs} ms`);
  }
  async function until<T>(
    what: string,
    read: () => Promise<T>,
    done: (value: T) => boolean,
    timeoutMs = 60_000,
  ): Promise<T> {
    for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(200)) {
      const value = await read();
      if (done(value)) return value;
    }
    throw new Error(`${what}: not within ${timeoutMs} ms`);
  }
  async function terminate(serverId: string) {
    const del = await env.app.inject({ method: 'DELETE', url: `/v1/servers/${serverId}?region=${region}` });
    expect(del.statusCode, del.body).toBe(202);
    const operation = await untilClosed(del.json().statusUrl);
    expect(operation).toMatchObject({ status: 'completed', type: 'terminateServer' });
    return operation.result;
  }
  async function reaper(query: string) {
    const res = await env.app.inject({ method: 'POST', url: `/v1/reaper/run?region=${region}&${query}` });
    if (res.statusCode === 200) return res.json();
    expect(res.statusCode, res.body).toBe(202);
    const operation = await untilClosed(res.json().statusUrl, 120_000);
    expect(operation).toMatchObject({ status: 'completed', type: 'reapOrphans' });
    return operation.result;
  }
  const owned = (items: ReapItem[], owner: string) =>
    items
      .filter((i) => i.owner === owner)
      .map((i) => `${i.kind} ${i.id}`)
      .sort();
  const inventory = async (workflowId: string) => {
    const left = await leftovers(sim, workflowId);
    return [
      ...left.servers.map((id) => `server ${id}`),
      ...left.volumes.map((id) => `volume ${id}`),
      ...left.keypairs.map((id) => `keypair ${id}`),
      ...left.firewalls.map((id) => `firewall ${id}`),
    ];
  };

  it('terminating a server removes its launch’s key pair, firewall, volumes and key-store entries; the key is then gone (410)', async () => {
    const id = await launch({
      name: 'whole-1',
      keypair: { create: {} },
      firewall: { create: { rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.0/24' }] } },
      volumes: { count: 2, sizeGb: 5, raid: 'raid1', encrypt: true },
    });
    const launched = await untilClosed(`/v1/launches/${id}`);
    expect(launched).toMatchObject({ status: 'completed', privateKeyAvailable: true, keypairName: `mi-${id}` });
    expect(await env.temporal.keys.status(secretRefs.luksPassphrase(id))).toBe('stored');

    const result = await terminate(launched.server.id);
    expect(result).toEqual({
      serverId: launched.server.id,
      deletedVolumeIds: launched.volumes.volumeIds,
      keptVolumeIds: [],
      deletedKeypairs: [`mi-${id}`],
      deletedFirewallIds: launched.firewallIds,
      keptFirewalls: [],
      keptKeypairs: [],
    });
    expect(await leftovers(sim, id)).toEqual({ servers: [], volumes: [], firewalls: [], keypairs: [] });
    expect(await env.temporal.keys.status(secretRefs.privateKey(id))).toBe('absent');
    expect(await env.temporal.keys.status(secretRefs.luksPassphrase(id))).toBe('absent');
    expect((await get(`/v1/launches/${id}`)).privateKeyAvailable).toBe(false);
    const download = await env.app.inject({ method: 'GET', url: `/v1/launches/${id}/private-key` });
    expect(download.statusCode).toBe(410);
    expect(download.json()).toMatchObject({
      code: 'gone',
      message: expect.stringContaining('deleted with its server'),
    });
  });

  it('keeps a created firewall and key pair another server uses, names them, and the reaper takes the firewall once no server is left', async () => {
    const first = await launch({ name: 'share-1', keypair: { create: {} }, firewall: { create: { rules: [] } } });
    const a = await untilClosed(`/v1/launches/${first}`);
    const firewallId: string = a.firewallIds[0];
    const second = await launch({ name: 'share-2', keypair: { name: a.keypairName }, firewall: { ids: [firewallId] } });
    const b = await untilClosed(`/v1/launches/${second}`);
    expect(b).toMatchObject({ status: 'completed', firewallIds: [firewallId], keypairName: a.keypairName });

    expect(await terminate(a.server.id)).toMatchObject({
      deletedKeypairs: [],
      keptKeypairs: [{ name: a.keypairName, usedBy: [b.server.id] }],
      deletedFirewallIds: [],
      keptFirewalls: [{ id: firewallId, usedBy: [b.server.id] }],
    });
    expect((await sim.listFirewalls(region, { ids: [firewallId] })).map((f) => f.id)).toEqual([firewallId]);
    expect(
      await env.temporal.keys.status(secretRefs.privateKey(first)),
      'the key of a key pair still in use stays fetchable',
    ).toBe('stored');
    // The second launch only chose them: terminating its server leaves them alone.
    expect(await terminate(b.server.id)).toMatchObject({
      deletedKeypairs: [],
      deletedFirewallIds: [],
      keptFirewalls: [],
    });
    expect((await sim.listFirewalls(region, { ids: [firewallId] })).map((f) => f.id)).toEqual([firewallId]);

    const plan = await reaper('dryRun=true&graceSeconds=0');
    expect(plan.items).toContainEqual({
      kind: 'firewall',
      region,
      id: firewallId,
      owner: first,
      reason: `its launch ${first} completed, and no server of it is left`,
    });
    expect(owned((await reaper('dryRun=false&graceSeconds=0')).items, first)).toEqual([`firewall ${firewallId}`]);
    expect(await sim.listFirewalls(region, { ids: [firewallId] })).toEqual([]);
  });

  it('keepVolumes keeps encrypted volumes and their passphrase, and the reaper leaves both', async () => {
    const id = await launch({
      name: 'keep-data-1',
      keypair: { create: {} },
      volumes: { count: 2, sizeGb: 5, raid: 'raid1', encrypt: true },
    });
    const launched = await untilClosed(`/v1/launches/${id}`);
    const del = await env.app.inject({
      method: 'DELETE',
      url: `/v1/servers/${launched.server.id}?region=${region}&keepVolumes=true`,
    });
    const done = await untilClosed(del.json().statusUrl);
    expect(done.result).toMatchObject({
      deletedVolumeIds: [],
      keptVolumeIds: launched.volumes.volumeIds,
      deletedKeypairs: [`mi-${id}`],
    });
    expect((await leftovers(sim, id)).volumes.sort()).toEqual([...launched.volumes.volumeIds].sort());
    expect(await env.temporal.keys.status(secretRefs.luksPassphrase(id))).toBe('stored');
    expect(owned((await reaper('dryRun=true&graceSeconds=0')).items, id)).toEqual([]);
  });

  it('refuses labels the service sets itself, before anything starts', async () => {
    for (const key of ['temporary', 'expires-at', 'clone-workflow-id', 'workflow-id']) {
      const res = await env.app.inject({
        method: 'POST',
        url: '/v1/launches',
        payload: { ...LAUNCH_BODY, labels: { [key]: 'x' } },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        code: 'invalid_request',
        message: `body.labels.${key}: the service sets this tag itself; choose another label key`,
      });
    }
  });

  it('a launch terminated with the temporal CLI mid-volumes is swept after the grace period; a completed launch is untouched', async () => {
    const full = {
      keypair: { create: {} },
      firewall: { create: { rules: [] } },
      volumes: { count: 2, sizeGb: 5, raid: 'raid1' as const, encrypt: true },
    };
    const kept = await launch({ ...full, name: 'kept-1' });
    const completed = await untilClosed(`/v1/launches/${kept}`);
    expect(completed.status).toBe('completed');

    // The guest refuses the encrypt step: the launch waits there, volumes attached and its LUKS passphrase stored.
    sim.faults.script({ operation: 'guest.encrypt', match: { serverName: 'abandoned-1' }, code: 'Unavailable' });
    const id = await launch({ ...full, name: 'abandoned-1' });
    await until(
      'the launch waits in its encrypt step',
      () => get(`/v1/launches/${id}`),
      (v) => v.step === 'encrypt' && v.waitingFor !== undefined,
    );
    await run(inject('temporalCliPath'), [
      'workflow',
      'terminate',
      '--address',
      inject('temporalAddress'),
      '--namespace',
      'default',
      '--workflow-id',
      id,
      '--reason',
      'stopped from the CLI',
    ]);
    expect((await get(`/v1/launches/${id}`)).status).toBe('terminated');
    const left = await inventory(id);
    expect(left).toHaveLength(5); // the server, two volumes, the key pair, the firewall: the terminated launch ran no undo
    const secrets = [`secret ${secretRefs.luksPassphrase(id)}`, `secret ${secretRefs.privateKey(id)}`];
    expect(await env.temporal.keys.status(secretRefs.luksPassphrase(id))).toBe('stored');

    // Within the grace period nothing of it is taken.
    expect(owned((await reaper('dryRun=true&graceSeconds=3600')).items, id)).toEqual([]);
    await sleep(2_000);
    const plan = await reaper('dryRun=true&graceSeconds=1');
    expect(plan.dryRun).toBe(true);
    expect(owned(plan.items, id)).toEqual([...left, ...secrets].sort());
    expect(plan.items.find((i: ReapItem) => i.owner === id)?.reason).toMatch(
      new RegExp(`its workflow ${id} closed as terminated at `),
    );
    expect(owned(plan.items, kept)).toEqual([]);
    expect(await inventory(id), 'a dry run removes nothing').toEqual(left);

    const report = await reaper('dryRun=false&graceSeconds=1');
    expect(owned(report.items, id)).toEqual([...left, ...secrets].sort());
    expect(await leftovers(sim, id)).toEqual({ servers: [], volumes: [], firewalls: [], keypairs: [] });
    expect(await env.temporal.keys.status(secretRefs.luksPassphrase(id))).toBe('absent');
    expect(await env.temporal.keys.status(secretRefs.privateKey(id))).toBe('absent');
    // The completed launch keeps everything.
    expect((await sim.getServer(region, completed.server.id)).state).toBe('running');
    expect(await inventory(kept)).toHaveLength(5);
    expect(await env.temporal.keys.status(secretRefs.privateKey(kept))).toBe('stored');

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const reaped = (kind: string) =>
      Number(
        new RegExp(`^machine_images_reaped_total\\{[^}]*kind="${kind}"[^}]*\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0,
      );
    // Only this test's run reaped servers, volumes, key pairs and secrets in this file's worker.
    expect([reaped('server'), reaped('volume'), reaped('keypair'), reaped('secret')], metrics).toEqual([1, 2, 1, 2]);
  }, 180_000);

  it('fails at readyTimeout counted from provisioning when the guest never answers SSH, naming that check, and leaves nothing', async () => {
    sim.faults.script({
      operation: 'guest.ssh',
      match: { serverName: 'no-ssh-1' },
      code: 'Unavailable',
      message: SSH_REFUSED,
    });
    const id = await launch({
      name: 'no-ssh-1',
      keypair: { create: {} },
      volumes: { count: 1, sizeGb: 5 },
      readyTimeout: '60s',
    });
    const waiting = await until(
      'the launch retries its first guest step',
      () => get(`/v1/launches/${id}`),
      (v) => v.waitingFor !== undefined || v.status !== 'running',
    );
    expect(waiting).toMatchObject({ status: 'running', waitingFor: SSH_REFUSED, readyBy: expect.any(String) });
    expect(waiting.readySecondsLeft).toBeGreaterThan(0);
    expect(waiting.readySecondsLeft).toBeLessThanOrEqual(60);

    const failed = await untilClosed(`/v1/launches/${id}`, 150_000);
    expect(failed).toMatchObject({
      status: 'failed',
      error: {
        code: 'ReadyTimeout',
        message: expect.stringContaining(
          `not ready within 60 s of provisioning (in step raid); last failing check: ${SSH_REFUSED}`,
        ),
      },
    });
    const startOf = (name: string) => Date.parse(failed.steps.find((s: { name: string }) => s.name === name).startedAt);
    const ranOutAfter = startOf('cleanup') - startOf('provision');
    expect(ranOutAfter).toBeGreaterThanOrEqual(60_000);
    expect(ranOutAfter, 'within 10% of readyTimeout').toBeLessThanOrEqual(66_000);
    expect(failed.steps.find((s: { name: string }) => s.name === 'raid')).toMatchObject({
      state: 'failed',
      detail: expect.stringContaining(SSH_REFUSED),
    });
    expect(await leftovers(sim, id)).toEqual({ servers: [], volumes: [], firewalls: [], keypairs: [] });
    expect(await env.temporal.keys.status(secretRefs.privateKey(id))).toBe('absent');
  }, 180_000);
});
