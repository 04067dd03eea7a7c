import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineImage } from '../../domain/image';
import type { Server } from '../../domain/server';
import { AwsProvider } from '../../providers/aws/aws-provider';
import { codeFor } from '../../providers/aws/errors';
import { collectAll, pageThrough, type Batch } from '../../providers/aws/paging';
import { ProviderError, type ProviderErrorCode } from '../../domain/cloud-errors';
import { freePort } from '../support/free-port';
import { startMoto, type Moto } from '../support/moto';

const REGION = 'us-east-1';
const ZONE = 'us-east-1a';

let moto: Moto;
let aws: AwsProvider;

beforeAll(async () => {
  moto = await startMoto();
  aws = new AwsProvider({
    region: REGION,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
});

afterAll(async () => {
  await moto?.stop();
});

async function expectProviderError(action: Promise<unknown>, code: ProviderErrorCode): Promise<ProviderError> {
  const err = await action.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  expect((err as ProviderError).code).toBe(code);
  return err as ProviderError;
}

/** An OpenSSH "ssh-ed25519 AAAA..." line for a fresh key. */
function ed25519PublicKey(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  const field = (bytes: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes]);
  return `ssh-ed25519 ${Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]).toString('base64')} test@example`;
}

describe('AwsProvider against moto', () => {
  it('reports its capabilities, with naming rules that compile and judge names', async () => {
    const caps = await aws.capabilities(REGION);
    expect(caps).toMatchObject({ publicLibrary: true, deprecation: true, disableImage: true, maxVolumesPerServer: 26 });
    expect(new RegExp(caps.naming.image.pattern).test('web-base (2024.01) v1.2')).toBe(true);
    expect(new RegExp(caps.naming.image.pattern).test('web*base')).toBe(false);
    expect(new RegExp(caps.naming.firewall.pattern).test('sg-web')).toBe(false);
    expect(new RegExp(caps.naming.firewall.pattern).test('web servers')).toBe(true);
  });

  it('lists regions and the zones of one', async () => {
    expect(await aws.listRegions()).toContain(REGION);
    expect(await aws.listZones(REGION)).toContain(ZONE);
  });

  it('walks three pages of 25 public images without repeating one', async () => {
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < 3; page++) {
      const result = await aws.searchPublicImages(REGION, { limit: 25, cursor });
      expect(result.items).toHaveLength(25);
      expect(result.nextCursor).toBeDefined();
      for (const image of result.items) {
        expect(seen.has(image.id)).toBe(false);
        expect(image.visibility).toBe('public');
        seen.add(image.id);
      }
      cursor = result.nextCursor;
    }
    expect(seen.size).toBe(75);
  });

  it('filters public images by name, glob, platform, architecture and owner', async () => {
    const ubuntu = await aws.searchPublicImages(REGION, { q: 'UBUNTU', limit: 1000 });
    expect(ubuntu.items.length).toBeGreaterThan(0);
    expect(ubuntu.items.every((i) => i.name.toLowerCase().includes('ubuntu'))).toBe(true);

    const glob = await aws.searchPublicImages(REGION, { q: 'al2023-ami-*-arm64', limit: 1000 });
    expect(glob.items.length).toBeGreaterThan(0);
    expect(glob.items.every((i) => i.name.startsWith('al2023-ami-') && i.architecture === 'arm64')).toBe(true);

    const windows = await aws.searchPublicImages(REGION, { platform: 'windows', limit: 1000 });
    expect(windows.items.length).toBeGreaterThan(0);
    expect(windows.items.every((i) => i.platform === 'windows')).toBe(true);

    const arm = await aws.searchPublicImages(REGION, {
      architecture: 'arm64',
      ownerId: '137112412989',
      platform: 'amazon-linux',
    });
    expect(arm.items.length).toBeGreaterThan(0);
    expect(arm.items.every((i) => i.architecture === 'arm64' && i.ownerId === '137112412989')).toBe(true);
  });

  it('refuses a cursor it did not issue, naming the cursor', async () => {
    const err = await expectProviderError(aws.searchPublicImages(REGION, { cursor: 'not-a-cursor' }), 'InvalidInput');
    expect(err.message).toContain('cursor');
  });

  it('says NotFound for an image that does not exist', async () => {
    await expectProviderError(aws.getImage(REGION, 'ami-12345678'), 'NotFound');
  });

  it('lists products by architecture, with memory in GB', async () => {
    const arm = await aws.listProducts(REGION, { architecture: 'arm64' });
    expect(arm.length).toBeGreaterThan(0);
    expect(arm.every((p) => p.architecture === 'arm64')).toBe(true);
    const micro = (await aws.listProducts(REGION)).find((p) => p.id === 't3.micro');
    expect(micro).toMatchObject({ cpuCount: 2, memoryGb: 1, rootDiskGb: 0, architecture: 'x86_64' });
  });
});

describe('servers, images and volumes against moto', () => {
  let base: MachineImage;
  let server: Server;
  let captured: MachineImage;

  beforeAll(async () => {
    const found = await aws.searchPublicImages(REGION, { q: 'amzn2-ami-hvm-*-x86_64-gp2', architecture: 'x86_64' });
    base = found.items[0]!;
    expect(base).toBeDefined();
  });

  it('launches once per client token, however often it is asked', async () => {
    const input = {
      imageId: base.id,
      productId: 't3.micro',
      name: 'smoke web 1',
      zone: ZONE,
      clientToken: randomUUID(),
      tags: { family: 'web' },
    };
    server = await aws.launchServer(REGION, input);
    const again = await aws.launchServer(REGION, input);
    expect(again.id).toBe(server.id);
    expect(server).toMatchObject({ name: 'smoke web 1', imageId: base.id, productId: 't3.micro', zone: ZONE });
    expect(server.tags).toMatchObject({ family: 'web', 'client-token': input.clientToken });
    expect(await aws.listServers(REGION, { tag: { key: 'client-token', value: input.clientToken } })).toHaveLength(1);
  });

  it('reads, lists and checks the server', async () => {
    const read = await aws.getServer(REGION, server.id);
    expect(read.state).toBe('running');
    expect(read.privateIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect((await aws.listServers(REGION, { imageId: base.id, states: ['running'] })).map((s) => s.id)).toContain(
      server.id,
    );
    expect(await aws.listServers(REGION, { states: ['stopped'] })).toEqual([]);
    expect(['ok', 'initializing']).toContain(await aws.statusChecks(REGION, server.id));
    await expectProviderError(aws.getServer(REGION, 'i-0123456789abcdef0'), 'NotFound');
  });

  it('stops and starts the server', async () => {
    expect(['stopping', 'stopped']).toContain((await aws.stopServer(REGION, server.id)).state);
    expect(await aws.statusChecks(REGION, server.id)).toBe('initializing');
    expect(['pending', 'running']).toContain((await aws.startServer(REGION, server.id)).state);
  });

  it('captures an image once per client token and lists it as our own', async () => {
    const input = {
      serverId: server.id,
      name: 'smoke-web-base',
      description: 'from smoke',
      reboot: false,
      tags: { family: 'web' },
      clientToken: randomUUID(),
    };
    captured = await aws.captureImage(REGION, input);
    expect((await aws.captureImage(REGION, input)).id).toBe(captured.id);
    expect(captured).toMatchObject({ name: 'smoke-web-base', visibility: 'private', architecture: 'x86_64' });
    expect(captured.tags).toMatchObject({ family: 'web', 'client-token': input.clientToken });
    expect((await aws.listImages(REGION)).items.map((i) => i.id)).toContain(captured.id);
  });

  it('renames, colours and labels an image through its tags', async () => {
    const updated = await aws.updateImage(REGION, captured.id, {
      name: 'Smoke web base, renamed',
      labelColor: 'green',
      description: 'renamed by smoke',
      labels: { version: '2', family: '' },
    });
    // moto answers ModifyImageAttribute(Description) with success but keeps the old description.
    expect(updated).toMatchObject({ name: 'Smoke web base, renamed', labelColor: 'green', description: 'from smoke' });
    expect(updated.extra.ec2Name).toBe('smoke-web-base');
    expect(updated.tags.version).toBe('2');
    expect(updated.tags.family).toBeUndefined();
  });

  it('answers Unsupported for deprecate, disable and enable, which moto lacks', async () => {
    const err = await expectProviderError(
      aws.deprecateImage(REGION, captured.id, { replacementId: base.id }),
      'Unsupported',
    );
    expect(err.message).toContain('EnableImageDeprecation');
    await expectProviderError(aws.disableImage(REGION, captured.id), 'Unsupported');
    await expectProviderError(aws.enableImage(REGION, captured.id), 'Unsupported');
  });

  it('deregisters an image, and again without complaint', async () => {
    await aws.deregisterImage(REGION, captured.id);
    await aws.deregisterImage(REGION, captured.id);
    expect((await aws.listImages(REGION)).items.map((i) => i.id)).not.toContain(captured.id);
  });

  it('creates a volume once per client token, attaches, detaches and deletes it', async () => {
    const input = { sizeGb: 20, zone: ZONE, encrypted: true, clientToken: randomUUID(), tags: { purpose: 'data' } };
    const volume = await aws.createVolume(REGION, input);
    expect((await aws.createVolume(REGION, input)).id).toBe(volume.id);
    expect(volume).toMatchObject({ sizeGb: 20, type: 'gp3', zone: ZONE, encrypted: true });

    const attached = await aws.attachVolume(REGION, volume.id, server.id, '/dev/sdf');
    expect(attached).toMatchObject({ serverId: server.id, device: '/dev/sdf' });
    expect(['attaching', 'in-use']).toContain(attached.state);
    expect((await aws.listVolumes(REGION, { serverId: server.id })).map((v) => v.id)).toContain(volume.id);

    expect(['detaching', 'available']).toContain((await aws.detachVolume(REGION, volume.id)).state);
    expect((await aws.getVolume(REGION, volume.id)).serverId).toBeUndefined();
    expect((await aws.listVolumes(REGION, { tag: { key: 'purpose', value: 'data' } })).map((v) => v.id)).toEqual([
      volume.id,
    ]);

    await aws.deleteVolume(REGION, volume.id);
    await aws.deleteVolume(REGION, volume.id);
    await expectProviderError(aws.getVolume(REGION, volume.id), 'NotFound');
  });

  it('terminates the server, and again without complaint', async () => {
    await aws.terminateServer(REGION, server.id);
    await aws.terminateServer(REGION, server.id);
    expect((await aws.getServer(REGION, server.id)).state).toBe('terminated');
  });
});

describe('key pairs and firewalls against moto', () => {
  it('creates, imports, lists and deletes key pairs; a duplicate name is a Conflict', async () => {
    const created = await aws.createKeypair(REGION, 'smoke-created', { purpose: 'smoke' });
    expect(created.privateKeyPem).toContain('PRIVATE KEY');
    expect(created.fingerprint).not.toBe('');
    await expectProviderError(aws.createKeypair(REGION, 'smoke-created'), 'Conflict');

    const imported = await aws.importKeypair(REGION, 'smoke-imported', ed25519PublicKey(), { purpose: 'smoke' });
    expect(imported.fingerprint).not.toBe('');

    const listed = await aws.listKeypairs(REGION);
    expect(listed.find((k) => k.name === 'smoke-created')?.tags).toEqual({ purpose: 'smoke' });
    expect(listed.map((k) => k.name)).toContain('smoke-imported');

    await aws.deleteKeypair(REGION, 'smoke-created');
    await aws.deleteKeypair(REGION, 'smoke-imported');
    await aws.deleteKeypair(REGION, 'smoke-imported');
    expect((await aws.listKeypairs(REGION)).map((k) => k.name)).not.toContain('smoke-created');
  });

  it('creates a firewall, adds rules (ignoring ones it has), lists and deletes it', async () => {
    const ssh = { protocol: 'tcp' as const, fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' };
    const firewall = await aws.createFirewall(REGION, {
      name: 'smoke-web',
      description: 'smoke',
      rules: [ssh],
      tags: { purpose: 'smoke' },
    });
    expect(firewall.rules).toEqual([ssh]);
    await expectProviderError(
      aws.createFirewall(REGION, { name: 'smoke-web', description: 'again', rules: [] }),
      'Conflict',
    );

    const https = { protocol: 'tcp' as const, fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' };
    const internal = { protocol: 'all' as const, fromPort: 0, toPort: 65535, cidr: '10.0.0.0/8' };
    const widened = await aws.authorize(REGION, firewall.id, [ssh, https, internal]);
    expect(widened.rules).toHaveLength(3);
    expect(widened.rules).toEqual(expect.arrayContaining([ssh, https, internal]));

    const [byId] = await aws.listFirewalls(REGION, { ids: [firewall.id] });
    expect(byId).toMatchObject({ name: 'smoke-web', description: 'smoke', tags: { purpose: 'smoke' } });
    expect((await aws.listFirewalls(REGION, { tag: { key: 'purpose' } })).map((f) => f.id)).toEqual([firewall.id]);

    await aws.deleteFirewall(REGION, firewall.id);
    await aws.deleteFirewall(REGION, firewall.id);
    expect((await aws.listFirewalls(REGION)).map((f) => f.id)).not.toContain(firewall.id);
  });
});

describe('paging and errors without moto', () => {
  // Real EC2 answers in batches joined by NextToken, which moto never does.
  const numbers = Array.from({ length: 23 }, (_, i) => i);
  const batches = async (token: string | undefined): Promise<Batch<number>> => {
    const start = Number(token ?? 0);
    const next = start + 10 < numbers.length ? String(start + 10) : undefined;
    return { items: numbers.slice(start, start + 10), ...(next ? { next } : {}) };
  };

  it('pages across EC2 batches with pages that do not line up with them', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await pageThrough({ limit: 7, cursor }, batches);
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(numbers);
    expect(await collectAll(batches)).toEqual(numbers);
  });

  it('maps EC2 error codes through one table', () => {
    expect(codeFor('InvalidVpcID.NotFound')).toBe('NotFound');
    expect(codeFor('InvalidInstanceID.Malformed')).toBe('InvalidInput');
    expect(codeFor('RequestLimitExceeded')).toBe('Throttled');
    expect(codeFor('VcpuLimitExceeded')).toBe('QuotaExceeded');
    expect(codeFor('UnauthorizedOperation')).toBe('InvalidCredentials');
    expect(codeFor('InvalidAction')).toBe('Unsupported');
    expect(codeFor('SomethingNew')).toBeUndefined();
  });

  it('calls an endpoint nobody listens on Unavailable, and retryable', async () => {
    const nowhere = new AwsProvider({
      region: REGION,
      endpoint: `http://127.0.0.1:${await freePort()}`,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const err = await expectProviderError(nowhere.listZones(REGION), 'Unavailable');
    expect(err.retryable).toBe(true);
  });
});
