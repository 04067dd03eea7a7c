import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Firewall } from '../../domain/network';
import type { Server, ServerState, ServerStatus, StatusCheck } from '../../domain/server';
import type { LaunchServerInput, ServerFilter } from '../cloud-provider';
import { freePort } from '../../config/free-port';
import { ProviderError } from '../../domain/cloud-errors';
import { hasTag } from '../local/tags';
import { requireName } from '../local/naming';
import { QEMU_MAX_VOLUMES_PER_SERVER, QEMU_PRODUCTS } from './catalog';
import { newId, qmpSocketPath, requireRegion, requireZone, serverDir, volumeFile, type QemuContext } from './context';
import { settleAccel } from './accel';
import { killMachine, machinePid, powerDown, qemuImg, startMachine } from './machine';
import { withQmp } from './qmp';
import { findImageDoc, imageDisk } from './qemu-images';
import { findKeypair, forwardedPorts } from './qemu-network';
import { freed, type VolumeDoc } from './qemu-volumes';

// Servers of the local cloud. The record says what the person asked for (running, stopped, terminated); the
// process and its console say what is: a server outlives the worker and the API, and any process reading the
// record reconciles the two.

export interface ServerDoc {
  server: Omit<Server, 'state' | 'publicIp' | 'firewallIds' | 'keypairName'>;
  desired: 'running' | 'stopped' | 'terminated';
  /** When a stop was asked for: a guest that ignores the power button is switched off after STOP_GRACE_MS. */
  stopRequestedAt?: number;
  cpus: number;
  memoryMb: number;
  kernel: string;
  initrd: string;
  /** Guest TCP port → host port on 127.0.0.1; the SSH forward (22) is the server's address. */
  forwards: Record<number, number>;
  keypairName?: string;
  firewallIds: string[];
  /** Set once the machine has been started; a record without it is a launch still finishing. */
  bootedAt?: number;
  /** Until when one call holds the right to boot the machine: a retried or concurrent call leaves it to that one. */
  bootLease?: number;
  /** Where the console stood when the machine was last reset: its status checks read only what came after. */
  consoleFrom?: number;
}

const STOP_GRACE_MS = 90_000;
/** Longer than a boot can take: the KVM probe (10 s), qemu-img, and QEMU's start under KVM then TCG (30 s each). */
const BOOT_LEASE_MS = 120_000;
/** cloud-init's final message as the base image sets it (final_message), on the serial console. */
const BOOT_FINISHED = /machine-images: boot finished/;

export const serverPaths = (ctx: QemuContext, id: string) => {
  const dir = serverDir(ctx, id);
  return {
    dir,
    root: path.join(dir, 'root.qcow2'),
    pid: path.join(dir, 'qemu.pid'),
    console: path.join(dir, 'console.log'),
    qmp: qmpSocketPath(ctx, id),
    seed: path.join(dir, 'seed'),
  };
};

export function loadServer(ctx: QemuContext, region: string, serverId: string): ServerDoc {
  requireRegion(region);
  const stored = ctx.store.get<ServerDoc>('server', serverId);
  if (!stored || stored.region !== region) throw new ProviderError('NotFound', `server ${serverId} does not exist`);
  return stored.doc;
}

const save = (ctx: QemuContext, region: string, doc: ServerDoc) =>
  ctx.store.put({ id: doc.server.id, kind: 'server', region, clientToken: null, doc });

export const isAlive = (ctx: QemuContext, serverId: string) =>
  machinePid(serverPaths(ctx, serverId).pid, serverId) !== undefined;

export function serverState(ctx: QemuContext, doc: ServerDoc): ServerState {
  if (doc.desired === 'terminated') return 'terminated';
  const alive = isAlive(ctx, doc.server.id);
  // Asked to run and not up: booting (first boot, or a start holding the lease), or it went down by itself.
  if (doc.desired === 'running')
    return alive ? 'running' : !doc.bootedAt || (doc.bootLease ?? 0) > Date.now() ? 'pending' : 'stopped';
  return alive ? 'stopping' : 'stopped';
}

export function serverView(ctx: QemuContext, doc: ServerDoc): Server {
  const state = serverState(ctx, doc);
  const ssh = doc.forwards[22];
  return {
    ...doc.server,
    state,
    firewallIds: doc.firewallIds,
    ...(doc.keypairName ? { keypairName: doc.keypairName } : {}),
    ...(state === 'running' && ssh ? { publicIp: `127.0.0.1:${ssh}` } : {}),
  };
}

/** Servers that hold a guest slot: asked to run, or still shutting down. */
function liveServers(ctx: QemuContext, region: string): ServerDoc[] {
  return ctx.store
    .list<ServerDoc>('server', region)
    .map((s) => s.doc)
    .filter((doc) => doc.desired === 'running' || (doc.desired === 'stopped' && isAlive(ctx, doc.server.id)));
}

function requireRoom(ctx: QemuContext, region: string, memoryMb: number, except?: string): void {
  const live = liveServers(ctx, region).filter((doc) => doc.server.id !== except);
  if (live.length >= ctx.limits.guests) {
    throw new ProviderError(
      'QuotaExceeded',
      `${live.length} of the ${ctx.limits.guests} guests this machine allows are running; stop or terminate one, or raise QEMU_MAX_GUESTS`,
    );
  }
  const used = live.reduce((sum, doc) => sum + doc.memoryMb, 0);
  if (used + memoryMb > ctx.limits.memoryMb) {
    throw new ProviderError(
      'QuotaExceeded',
      `running guests use ${used} MiB of the ${ctx.limits.memoryMb} MiB allowed and this one needs ${memoryMb}; stop one, choose a smaller product, or raise QEMU_MAX_MEMORY_MB`,
    );
  }
}

export function firewallsOf(ctx: QemuContext, doc: ServerDoc): Firewall[] {
  return doc.firewallIds
    .map((id) => ctx.store.get<Firewall>('firewall', id)?.doc)
    .filter((f): f is Firewall => f !== undefined);
}

/** cloud-init's NoCloud seed: meta-data names the instance and carries the key pair; user data is passed as given. */
function writeSeed(ctx: QemuContext, region: string, doc: ServerDoc, userData: string | undefined): void {
  const { seed } = serverPaths(ctx, doc.server.id);
  mkdirSync(seed, { recursive: true, mode: 0o700 });
  const keypair = doc.keypairName ? findKeypair(ctx, region, doc.keypairName) : undefined;
  // JSON strings are YAML strings: a key's comment can hold anything a key pair's name may.
  const metaData = [
    `instance-id: ${doc.server.id}`,
    `local-hostname: ${JSON.stringify(doc.server.name)}`,
    ...(keypair ? ['public-keys:', `  - ${JSON.stringify(keypair.publicKey)}`] : []),
  ];
  writeFileSync(path.join(seed, 'meta-data'), `${metaData.join('\n')}\n`, { mode: 0o600 });
  // User data can hold secrets: only the owner reads it; QEMU hands it to the guest through fw_cfg.
  writeFileSync(path.join(seed, 'user-data'), userData ?? '', { mode: 0o600 });
}

/**
 * Claims the right to boot a server that should run and does not: one call at a time boots it (an activity retried
 * after its timeout finds the lease held and leaves the boot to the first attempt).
 */
function claimBoot(ctx: QemuContext, region: string, serverId: string): ServerDoc | undefined {
  return ctx.store.transaction(() => {
    const current = loadServer(ctx, region, serverId);
    if (current.desired !== 'running' || isAlive(ctx, serverId)) return undefined;
    if (current.bootLease && current.bootLease > Date.now()) return undefined;
    const claimed: ServerDoc = { ...current, bootLease: Date.now() + BOOT_LEASE_MS };
    save(ctx, region, claimed);
    return claimed;
  });
}

/** Starts the machine with the server's disks, on new host ports; the caller holds the boot lease. */
async function boot(ctx: QemuContext, region: string, doc: ServerDoc): Promise<void> {
  const p = serverPaths(ctx, doc.server.id);
  try {
    await startWithDisks(ctx, region, doc);
  } catch (err) {
    ctx.store.transaction(() => {
      const current = loadServer(ctx, region, doc.server.id);
      delete current.bootLease;
      save(ctx, region, current);
    });
    throw err;
  }
  // Terminated or stopped while it booted (a launch's cleanup, a person): it must not run on untracked.
  const wanted = ctx.store.transaction(() => {
    const current = loadServer(ctx, region, doc.server.id);
    delete current.bootLease;
    if (current.desired === 'running') current.bootedAt = Date.now();
    delete current.consoleFrom; // a new process writes its console from the start
    save(ctx, region, current);
    return current.desired === 'running';
  });
  if (!wanted) await killMachine(p.pid, p.qmp, doc.server.id);
}

async function startWithDisks(ctx: QemuContext, region: string, doc: ServerDoc): Promise<void> {
  const p = serverPaths(ctx, doc.server.id);
  const guestPorts = forwardedPorts(firewallsOf(ctx, doc));
  const forwards: Record<number, number> = {};
  for (const port of guestPorts) forwards[port] = await freePort();
  const attached = ctx.store
    .list<VolumeDoc>('volume', region, { attachedTo: doc.server.id })
    .map((s) => s.doc)
    .sort((a, b) => a.attachment!.port - b.attachment!.port);
  rmSync(p.qmp, { force: true });
  await startMachine({
    serverId: doc.server.id,
    cpus: doc.cpus,
    memoryMb: doc.memoryMb,
    accel: await settleAccel(ctx.accel, ctx.qemuBinary, doc.kernel),
    kernel: doc.kernel,
    initrd: doc.initrd,
    rootDisk: p.root,
    volumes: attached.map((v) => ({
      serial: v.volume.id,
      file: volumeFile(ctx, v.volume.id),
      port: v.attachment!.port,
    })),
    hotplugPorts: QEMU_MAX_VOLUMES_PER_SERVER,
    forwards,
    seed: { 'meta-data': path.join(p.seed, 'meta-data'), 'user-data': path.join(p.seed, 'user-data') },
    consoleLog: p.console,
    qmpSocket: p.qmp,
    pidFile: p.pid,
    qemuBinary: ctx.qemuBinary,
  });
  ctx.store.transaction(() => save(ctx, region, { ...loadServer(ctx, region, doc.server.id), forwards }));
}

export async function launchServer(ctx: QemuContext, region: string, input: LaunchServerInput): Promise<Server> {
  const zone = requireZone(region, input.zone);
  requireName('server', input.name);
  const product = QEMU_PRODUCTS.find((p) => p.id === input.productId);
  if (!product)
    throw new ProviderError(
      'InvalidInput',
      `product ${input.productId} does not exist; choose one of ${QEMU_PRODUCTS.map((p) => p.id).join(', ')}`,
    );
  const doc = ctx.store.transaction(() => {
    const existing = ctx.store.byToken<ServerDoc>('server', region, input.clientToken);
    if (existing) return existing.doc;
    const image = findImageDoc(ctx, region, input.imageId);
    const state = image.view.state;
    if (state !== 'available' && state !== 'deprecated')
      throw new ProviderError('InvalidInput', `image ${input.imageId} is ${state}; launch from an available image`);
    if (input.keypairName && !findKeypair(ctx, region, input.keypairName))
      throw new ProviderError('NotFound', `key pair ${input.keypairName} does not exist`);
    for (const id of input.firewallIds ?? [])
      if (!ctx.store.get('firewall', id)) throw new ProviderError('NotFound', `firewall ${id} does not exist`);
    requireRoom(ctx, region, product.memoryMb);
    const id = newId('i');
    const fresh: ServerDoc = {
      server: {
        id,
        name: input.name,
        imageId: image.view.id,
        productId: product.id,
        zone,
        privateIp: '10.0.2.15',
        createdAt: new Date().toISOString(),
        tags: { ...input.tags, Name: input.name },
      },
      desired: 'running',
      cpus: product.cpuCount,
      memoryMb: product.memoryMb,
      kernel: image.doc.files.kernel,
      initrd: image.doc.files.initrd,
      forwards: {},
      firewallIds: input.firewallIds ?? [],
      ...(input.keypairName ? { keypairName: input.keypairName } : {}),
    };
    ctx.store.put({ id, kind: 'server', region, clientToken: input.clientToken, doc: fresh });
    return fresh;
  });
  // The record comes first, so a retry with the same token finds it and finishes what a crash interrupted; the
  // boot lease keeps a retry from booting it a second time while the first attempt still does.
  const claimed = doc.bootedAt ? undefined : claimBoot(ctx, region, doc.server.id);
  if (claimed) {
    const p = serverPaths(ctx, doc.server.id);
    mkdirSync(p.dir, { recursive: true, mode: 0o700 });
    if (!existsSync(p.root)) {
      const base = imageDisk(ctx, region, doc.server.imageId);
      const sizeGb = QEMU_PRODUCTS.find((q) => q.id === doc.server.productId)!.rootDiskGb;
      await qemuImg(['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', base, `${p.root}.part`, `${sizeGb}G`]);
      renameSync(`${p.root}.part`, p.root);
    }
    writeSeed(ctx, region, claimed, input.userData);
    await boot(ctx, region, claimed);
  }
  return serverView(ctx, loadServer(ctx, region, doc.server.id));
}

export function getServer(ctx: QemuContext, region: string, serverId: string): Server {
  const doc = loadServer(ctx, region, serverId);
  const view = serverView(ctx, doc);
  // A guest that ignored the power button for the grace period is switched off, as clouds force a stop.
  if (view.state === 'stopping' && doc.stopRequestedAt && Date.now() - doc.stopRequestedAt > STOP_GRACE_MS) {
    const p = serverPaths(ctx, serverId);
    killMachine(p.pid, p.qmp, serverId).catch(() => undefined); // the next read tries again
  }
  return view;
}

export function listServers(ctx: QemuContext, region: string, filter: ServerFilter = {}): Server[] {
  requireRegion(region);
  return ctx.store
    .list<ServerDoc>('server', region, filter.tag ? { tag: filter.tag } : {})
    .map((s) => serverView(ctx, s.doc))
    .filter(
      (s) =>
        (!filter.imageId || s.imageId === filter.imageId) &&
        (!filter.states || filter.states.includes(s.state)) &&
        hasTag(s.tags, filter.tag),
    );
}

export async function stopServer(ctx: QemuContext, region: string, serverId: string): Promise<Server> {
  const doc = ctx.store.transaction(() => {
    const current = loadServer(ctx, region, serverId);
    if (current.desired === 'terminated')
      throw new ProviderError('Conflict', `server ${serverId} is terminated; it cannot stop`);
    if (current.desired === 'running')
      save(ctx, region, { ...current, desired: 'stopped', stopRequestedAt: Date.now() });
    return loadServer(ctx, region, serverId);
  });
  const p = serverPaths(ctx, serverId);
  if (isAlive(ctx, serverId)) await powerDown(p.qmp).catch(() => undefined);
  return serverView(ctx, doc);
}

export async function startServer(
  ctx: QemuContext,
  region: string,
  serverId: string,
  busy: (serverId: string) => string | undefined,
): Promise<Server> {
  const doc = ctx.store.transaction(() => {
    const current = loadServer(ctx, region, serverId);
    if (current.desired === 'terminated')
      throw new ProviderError('Conflict', `server ${serverId} is terminated; it cannot start`);
    const why = busy(serverId);
    if (why) throw new ProviderError('Unavailable', `server ${serverId} cannot start while ${why}`);
    // Asked to run already: booting, running, or down by itself (claimBoot below boots it again).
    if (current.desired === 'running') return current;
    const state = serverState(ctx, current);
    if (state === 'stopping')
      throw new ProviderError('Unavailable', `server ${serverId} is still stopping; start it once it has stopped`);
    requireRoom(ctx, region, current.memoryMb, serverId);
    const next: ServerDoc = { ...current, desired: 'running' };
    delete next.stopRequestedAt;
    save(ctx, region, next);
    return next;
  });
  const claimed = claimBoot(ctx, region, doc.server.id);
  if (claimed) await boot(ctx, region, claimed);
  return serverView(ctx, loadServer(ctx, region, serverId));
}

/**
 * Resets the machine, as its reset button would (EC2 asks the OS first; a local guest has nothing to lose but its
 * page cache, and its journalling filesystem recovers). Its status checks read the console from here on, so they
 * pass again only once this boot has finished.
 */
export async function rebootServer(ctx: QemuContext, region: string, serverId: string): Promise<Server> {
  const p = serverPaths(ctx, serverId);
  const doc = ctx.store.transaction(() => {
    const current = loadServer(ctx, region, serverId);
    const state = serverState(ctx, current);
    if (state !== 'running')
      throw new ProviderError('Conflict', `server ${serverId} is ${state}; only a running server can reboot`);
    const next: ServerDoc = { ...current, consoleFrom: consoleSize(p.console) };
    save(ctx, region, next);
    return next;
  });
  await withQmp(p.qmp, (qmp) => qmp.execute('system_reset'));
  return serverView(ctx, doc);
}

const consoleSize = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/** Switches the machine off and removes its disk and seed; data volumes come free, as on EC2. */
export async function terminateServer(ctx: QemuContext, region: string, serverId: string): Promise<void> {
  const stored = ctx.store.get<ServerDoc>('server', serverId);
  if (!stored || stored.region !== region) return;
  ctx.store.transaction(() => save(ctx, region, { ...loadServer(ctx, region, serverId), desired: 'terminated' }));
  const p = serverPaths(ctx, serverId);
  await killMachine(p.pid, p.qmp, serverId);
  ctx.store.transaction(() => {
    for (const volume of ctx.store.list<VolumeDoc>('volume', region, { attachedTo: serverId })) {
      ctx.store.put({ ...volume, doc: freed(volume.doc) });
    }
  });
  rmSync(p.dir, { recursive: true, force: true });
  rmSync(p.qmp, { force: true });
}

/**
 * For a capture, inside its transaction: the server's state, and when it is stopped, the record kept stopped (a
 * guest that powered itself off included) so that nothing boots it while its disk is copied.
 */
export function holdStoppedForCapture(
  ctx: QemuContext,
  region: string,
  serverId: string,
): { doc: ServerDoc; state: ServerState; rootDisk: string } {
  const doc = loadServer(ctx, region, serverId);
  const state = serverState(ctx, doc);
  if (state === 'stopped' && doc.desired !== 'stopped') save(ctx, region, { ...doc, desired: 'stopped' });
  return { doc, state, rootDisk: serverPaths(ctx, serverId).root };
}

/** Each server looked at in turn; unknown ones left out. */
export function serverStatuses(ctx: QemuContext, region: string, serverIds: string[]): ServerStatus[] {
  return [...new Set(serverIds)].flatMap((serverId) => {
    const stored = ctx.store.get<ServerDoc>('server', serverId);
    if (!stored || stored.region !== region) return [];
    return [{ serverId, state: serverState(ctx, stored.doc), checks: statusChecks(ctx, region, serverId) }];
  });
}

export function statusChecks(ctx: QemuContext, region: string, serverId: string): StatusCheck {
  const doc = loadServer(ctx, region, serverId);
  if (serverState(ctx, doc) !== 'running') return 'initializing';
  try {
    const log = readFileSync(serverPaths(ctx, serverId).console);
    // A console shorter than the mark was rewritten by a new process: all of it is this boot.
    const from = doc.consoleFrom !== undefined && doc.consoleFrom <= log.length ? doc.consoleFrom : 0;
    return BOOT_FINISHED.test(log.subarray(from).toString('utf8')) ? 'ok' : 'initializing';
  } catch {
    return 'initializing';
  }
}
