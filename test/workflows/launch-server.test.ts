import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, type Payload, type PayloadCodec } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LaunchProgress } from '../../domain/launch';
import { LaunchStep, ServerId } from '../../domain/search-attributes';
import { SimProvider } from '../../providers/sim/sim-provider';
import { secretRefs } from '../../secrets/key-store';
import { expectNothingLeft, launchRequest, leftovers, startLaunch } from '../support/launches';
import { startTestWorker } from '../support/temporal';

/** Every payload in a history, decrypted by the codecs and decoded to text: what a leak would look like to someone with the key. */
async function decodedPayloads(history: unknown, codecs: PayloadCodec[]): Promise<string> {
  const found: Payload[] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (node instanceof Uint8Array) return;
    const record = node as Record<string, unknown>;
    if ('metadata' in record && 'data' in record && record.data) found.push(record as Payload);
    for (const value of Object.values(record)) walk(value);
  };
  walk(history);
  let payloads = found;
  for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
  return payloads.map((p) => Buffer.from(p.data ?? []).toString('utf8')).join('\n');
}

const fullVolumes = {
  count: 4,
  sizeGb: 10,
  raid: 'raid10' as const,
  encrypt: true,
  filesystem: 'ext4' as const,
  mountPoint: '/data',
};

describe('launchServer workflow', () => {
  const sim = new SimProvider({ timeScale: 0 });
  let env: Awaited<ReturnType<typeof startTestWorker>>;
  beforeAll(async () => {
    env = await startTestWorker({ provider: sim });
  });
  afterAll(async () => env?.stop());
  beforeEach(() => sim.faults.clear());

  const launch = (overrides: Parameters<typeof launchRequest>[0] = {}) =>
    startLaunch(env.client, env.config.TEMPORAL_TASK_QUEUE, launchRequest(overrides));
  const failureOf = async (promise: Promise<unknown>) => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    return (err as WorkflowFailedError).cause;
  };

  it('launches with 4 disks in raid10 under LUKS with ext4 at /data, and the guest shows the array, the mapping and the mount', async () => {
    const handle = await launch({
      volumes: fullVolumes,
      keypair: { create: {} },
      firewall: { create: { rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.0/24' }] } },
    });
    const result = await handle.result();
    expect(result.server.id).toMatch(/^i-/);
    expect(result.volumes).toMatchObject({
      raid: 'raid10',
      filesystem: 'ext4',
      mountPoint: '/data',
      arrayDevice: '/dev/md/data',
      luksDevice: '/dev/mapper/data-crypt',
    });
    expect(result.volumes?.volumeIds).toHaveLength(4);
    expect(result.steps.map((s) => s.name)).toEqual([
      'preflight',
      'keypair',
      'firewall',
      'provision',
      'wait-running',
      'volumes',
      'raid',
      'encrypt',
      'format',
      'mount',
      'wait-ready',
    ]);
    expect(result.steps.every((s) => s.state === 'completed' && typeof s.durationMs === 'number')).toBe(true);

    const guest = sim.guest('sim-east-1', result.server.id).state();
    expect(guest.arrays).toEqual([
      expect.objectContaining({
        device: '/dev/md/data',
        level: 'raid10',
        members: expect.arrayContaining(result.volumes!.volumeIds.map((v) => `/dev/disk/by-id/virtio-${v}`)),
      }),
    ]);
    expect(guest.luks).toEqual([expect.objectContaining({ device: '/dev/md/data', name: 'data-crypt', open: true })]);
    expect(guest.filesystems).toEqual([
      expect.objectContaining({ device: '/dev/mapper/data-crypt', type: 'ext4', uuid: result.volumes!.filesystemUuid }),
    ]);
    expect(guest.mounts).toEqual([expect.objectContaining({ mountPoint: '/data', device: '/dev/mapper/data-crypt' })]);

    const volumes = await sim.listVolumes('sim-east-1', { serverId: result.server.id });
    expect(volumes.filter((v) => v.state === 'in-use')).toHaveLength(4);
    expect(await env.keys.get(secretRefs.privateKey(handle.workflowId))).toMatch(/PRIVATE KEY/);
    // The history holds references, never the secrets themselves: search every payload, decoded.
    const history = await handle.fetchHistory();
    const text = await decodedPayloads(history, env.payloadCodecs);
    expect(text).toContain('data-crypt'); // the search reads payloads at all
    const passphrase = await env.keys.get(secretRefs.luksPassphrase(handle.workflowId));
    const privateKey = await env.keys.get(secretRefs.privateKey(handle.workflowId));
    expect(passphrase).toBeDefined();
    expect(text).not.toContain(passphrase!);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(privateKey!.split('\n')[1]!);
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(ServerId)).toBe(result.server.id);
    expect(description.typedSearchAttributes.get(LaunchStep)).toBe('wait-ready');
    // The attribute moves with the phases, not with each of the 11 steps: each move is a visibility write.
    const upserted = (history.events ?? []).flatMap((event) => {
      const field = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.LaunchStep;
      return field?.data ? [JSON.parse(Buffer.from(field.data).toString('utf8')) as string] : [];
    });
    expect(upserted).toEqual(['preflight', 'provision', 'volumes', 'wait-ready']);
  });

  it('launches with an existing key pair and firewall, creating neither', async () => {
    await sim.createKeypair('sim-east-1', 'ops-key');
    const firewall = await sim.createFirewall('sim-east-1', { name: 'ops-ssh', description: 'ssh', rules: [] });
    const handle = await launch({ keypair: { name: 'ops-key' }, firewall: { ids: [firewall.id] } });
    const result = await handle.result();
    expect(result).toMatchObject({ keypairName: 'ops-key', firewallIds: [firewall.id], privateKeyAvailable: false });
    const left = await leftovers(sim, handle.workflowId);
    expect(left).toEqual({ servers: [result.server.id], volumes: [], firewalls: [], keypairs: [] });
  });

  it('refuses an unknown firewall or key pair in preflight, naming it, before creating anything', async () => {
    const firewall = await failureOf((await launch({ firewall: { ids: ['sg-00000000000000000'] } })).result());
    expect(firewall).toMatchObject({
      type: 'NotFound',
      message: expect.stringContaining('firewall sg-00000000000000000 does not exist'),
    });
    const keypair = await failureOf((await launch({ keypair: { name: 'nobody' } })).result());
    expect(keypair).toMatchObject({
      type: 'NotFound',
      message: expect.stringContaining('key pair "nobody" does not exist'),
    });
  });

  it('fails fast and for good when the image does not exist, with one attempt', async () => {
    const handle = await launch({ imageId: 'img-missing' });
    const cause = await failureOf(handle.result());
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: 'NotFound', message: 'image img-missing does not exist in region sim-east-1' });
    const history = await handle.fetchHistory();
    const attempts = history.events
      ?.filter((e) => e.activityTaskStartedEventAttributes)
      .map((e) => e.activityTaskStartedEventAttributes?.attempt);
    expect(attempts).toEqual([1]);
  });

  it('completes despite 30% transient faults on every provider call, with exactly one server', async () => {
    sim.faults.setRate('*', 0.3);
    const handles = await Promise.all([
      launch({ volumes: { count: 2, sizeGb: 5, raid: 'raid1' } }),
      launch({ keypair: { create: {} } }),
    ]);
    for (const handle of handles) {
      const result = await handle.result();
      sim.faults.setRate('*', 0);
      expect((await leftovers(sim, handle.workflowId)).servers).toEqual([result.server.id]);
    }
    // A readiness check makes several provider calls, so at 30% it fails about two attempts in three, and its retries
    // back off to 30 s: a run of bad luck takes minutes, not a hang. CI saw one take over 120 s.
  }, 300_000);

  const permanentFaults = [
    'createKeypair',
    'createFirewall',
    'launchServer',
    'createVolume',
    'attachVolume',
    'guest.raid',
    'guest.encrypt',
    'guest.format',
    'guest.mount',
  ];
  it.each(permanentFaults)('leaves nothing behind when %s fails for good', async (operation) => {
    sim.faults.script({ operation, code: 'InvalidInput' });
    const handle = await launch({
      volumes: { count: 2, sizeGb: 5, raid: 'raid0', encrypt: true },
      keypair: { create: {} },
      firewall: { create: { rules: [] } },
    });
    const cause = await failureOf(handle.result());
    expect(cause).toMatchObject({
      message: expect.stringContaining(`simulated InvalidInput fault injected into ${operation}`),
    });
    sim.faults.clear();
    await expectNothingLeft(sim, handle.workflowId);
    expect(await env.keys.get(secretRefs.privateKey(handle.workflowId))).toBeUndefined();
    const progress = await handle.query<LaunchProgress>('progress');
    expect(progress.steps.at(-1)).toMatchObject({ name: 'cleanup', state: 'completed' });
    expect(progress.warnings.filter((w) => w.startsWith('cleanup could not'))).toEqual([]);
    expect(progress.privateKeyAvailable).not.toBe(true);
  });

  it('fails at readyTimeout when readiness never comes, naming the last failing check, and leaves nothing behind', async () => {
    sim.faults.script({ operation: 'statusChecks', match: { serverName: 'never-ready' }, impaired: true });
    const handle = await launch({ name: 'never-ready', readyTimeout: '3s', volumes: { count: 1, sizeGb: 5 } });
    const cause = await failureOf(handle.result());
    expect(cause).toMatchObject({
      type: 'ReadyTimeout',
      message: expect.stringMatching(
        /not ready within 3 s of provisioning \(in step wait-ready\); last failing check: status checks of server i-\w+ are impaired/,
      ),
    });
    await expectNothingLeft(sim, handle.workflowId);
  }, 30_000);

  it('cancelled during the readiness wait: terminates the server and deletes the volumes', async () => {
    sim.faults.script({ operation: 'statusChecks', match: { serverName: 'cancel-me' }, impaired: true });
    const handle = await launch({ name: 'cancel-me', volumes: { count: 2, sizeGb: 5, raid: 'raid1' } });
    for (let i = 0; i < 100 && (await handle.query<LaunchProgress>('progress')).step !== 'wait-ready'; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await handle.query<LaunchProgress>('progress')).step).toBe('wait-ready');
    await handle.cancel();
    const cause = await failureOf(handle.result());
    expect(cause).toBeInstanceOf(CancelledFailure);
    await expectNothingLeft(sim, handle.workflowId);
    const progress = await handle.query<LaunchProgress>('progress');
    expect(progress.steps.map((s) => s.name)).toContain('cleanup');
  });
});
