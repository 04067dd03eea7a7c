import type { Server, ServerState, ServerStatus, StatusCheck } from '../../domain/server';
import type { LaunchServerInput, ServerFilter } from '../cloud-provider';
import { ProviderError } from '../../domain/cloud-errors';
import { SIM_PRODUCTS } from './catalog';
import { hasTag, newId, notFound, requireZone, type SimContext } from './context';
import { requireName } from '../local/naming';
import { findImage } from './sim-images';
import type { VolumeDoc } from './sim-volumes';
import { schedule, stateAt, type Timeline } from './timeline';

export interface ServerDoc {
  server: Omit<Server, 'state' | 'publicIp' | 'firewallIds' | 'keypairName'> & { publicIp: string };
  timeline: Timeline<ServerState>;
  /** When status checks pass; set each time the server boots. */
  checksFrom: number;
  keypairName?: string;
  firewallIds: string[];
  userData?: string;
}

export function serverView(ctx: SimContext, doc: ServerDoc): Server {
  const state = stateAt(doc.timeline, ctx.clock.now());
  const { publicIp, ...rest } = doc.server;
  return {
    ...rest,
    state,
    firewallIds: doc.firewallIds,
    ...(doc.keypairName ? { keypairName: doc.keypairName } : {}),
    ...(state === 'running' ? { publicIp } : {}),
  };
}

export function loadServer(ctx: SimContext, serverId: string, region: string): ServerDoc {
  const stored = ctx.store.get<ServerDoc>('server', serverId);
  if (!stored || stored.region !== region) throw notFound('server', serverId);
  return stored.doc;
}

const randomOctet = () => Math.floor(Math.random() * 254) + 1;

export function launchServer(ctx: SimContext, region: string, input: LaunchServerInput): Server {
  ctx.faults.check('launchServer', { imageId: input.imageId, serverName: input.name });
  const zone = requireZone(region, input.zone);
  requireName('server', input.name);
  return ctx.store.transaction(() => {
    const existing = ctx.store.byToken<ServerDoc>('server', region, input.clientToken);
    if (existing) return serverView(ctx, existing.doc);
    const image = findImage(ctx, region, input.imageId);
    if (image.state !== 'available' && image.state !== 'deprecated') {
      throw new ProviderError('InvalidInput', `image ${image.id} is ${image.state}; launch from an available image`);
    }
    const product = SIM_PRODUCTS.find((p) => p.id === input.productId);
    if (!product)
      throw new ProviderError('InvalidInput', `product ${input.productId} does not exist; see listProducts`);
    if (product.architecture !== image.architecture) {
      throw new ProviderError(
        'InvalidInput',
        `product ${product.id} is ${product.architecture} but image ${image.id} is ${image.architecture}`,
      );
    }
    if (input.keypairName && !ctx.store.get('keypair', `${region}/${input.keypairName}`))
      throw notFound('key pair', input.keypairName);
    for (const id of input.firewallIds ?? []) if (!ctx.store.get('firewall', id)) throw notFound('firewall', id);
    const live = ctx.store.countLive('server', region, ctx.clock.now());
    if (live >= ctx.quotas.servers) {
      throw new ProviderError(
        'QuotaExceeded',
        `the account runs ${live} of its ${ctx.quotas.servers} servers in ${region}; terminate some or raise the quota`,
      );
    }
    const now = ctx.clock.now();
    const bootedAt = ctx.clock.after('serverBoot');
    const id = newId('i');
    const doc: ServerDoc = {
      server: {
        id,
        name: input.name,
        imageId: image.id,
        productId: product.id,
        zone,
        privateIp: `10.0.${randomOctet()}.${randomOctet()}`,
        publicIp: `198.51.100.${randomOctet()}`,
        createdAt: new Date(now).toISOString(),
        tags: { ...input.tags, Name: input.name },
      },
      timeline: [
        { state: 'pending', at: now },
        { state: 'running', at: bootedAt },
      ],
      checksFrom: bootedAt + (ctx.clock.after('statusChecks') - now),
      firewallIds: input.firewallIds ?? [],
      ...(input.keypairName ? { keypairName: input.keypairName } : {}),
      ...(input.userData ? { userData: input.userData } : {}),
    };
    ctx.store.put({ id, kind: 'server', region, clientToken: input.clientToken, doc });
    return serverView(ctx, doc);
  });
}

export function listServers(ctx: SimContext, region: string, filter: ServerFilter = {}): Server[] {
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

/** Moves a server along its timeline, if its current state allows the action. */
function transition(
  ctx: SimContext,
  region: string,
  serverId: string,
  operation: string,
  plan: (state: ServerState, doc: ServerDoc) => boolean,
): Server {
  ctx.faults.check(operation, { serverId });
  return ctx.store.transaction(() => {
    const doc = loadServer(ctx, serverId, region);
    const state = stateAt(doc.timeline, ctx.clock.now());
    if (!plan(state, doc))
      throw new ProviderError(
        'Conflict',
        `server ${serverId} is ${state}; it cannot ${operation.replace('Server', '')} now`,
      );
    ctx.store.put({ id: serverId, kind: 'server', region, clientToken: null, doc });
    return serverView(ctx, doc);
  });
}

export function stopServer(ctx: SimContext, region: string, serverId: string): Server {
  return transition(ctx, region, serverId, 'stopServer', (state, doc) => {
    if (state === 'stopped' || state === 'stopping') return true;
    if (state !== 'running') return false;
    const now = ctx.clock.now();
    // A scripted `stuck` fault keeps it stopping for ever, as a cloud's stop sometimes hangs.
    doc.timeline = ctx.faults.stuck('stopServer', { serverId, serverName: doc.server.name })
      ? schedule(doc.timeline, now, { state: 'stopping', at: now })
      : schedule(
          doc.timeline,
          now,
          { state: 'stopping', at: now },
          { state: 'stopped', at: ctx.clock.after('serverStop') },
        );
    return true;
  });
}

export function startServer(ctx: SimContext, region: string, serverId: string): Server {
  return transition(ctx, region, serverId, 'startServer', (state, doc) => {
    if (state === 'running' || state === 'pending') return true;
    if (state !== 'stopped') return false;
    const now = ctx.clock.now();
    const bootedAt = ctx.clock.after('serverBoot');
    doc.timeline = schedule(doc.timeline, now, { state: 'pending', at: now }, { state: 'running', at: bootedAt });
    doc.checksFrom = bootedAt + (ctx.clock.after('statusChecks') - now);
    return true;
  });
}

/** The guest restarts: the server stays running, and its status checks pass again once it has booted. */
export function rebootServer(ctx: SimContext, region: string, serverId: string): Server {
  return transition(ctx, region, serverId, 'rebootServer', (state, doc) => {
    if (state !== 'running') return false;
    const now = ctx.clock.now();
    // A scripted `stuck` fault keeps the guest from coming back, as a kernel that fails to boot would.
    doc.checksFrom = ctx.faults.stuck('rebootServer', { serverId, serverName: doc.server.name })
      ? Number.MAX_SAFE_INTEGER
      : ctx.clock.after('serverBoot') + (ctx.clock.after('statusChecks') - now);
    return true;
  });
}

export function terminateServer(ctx: SimContext, region: string, serverId: string): void {
  ctx.faults.check('terminateServer', { serverId });
  ctx.store.transaction(() => {
    const stored = ctx.store.get<ServerDoc>('server', serverId);
    if (!stored || stored.region !== region) return; // already gone counts as done
    const doc = stored.doc;
    const now = ctx.clock.now();
    const state = stateAt(doc.timeline, now);
    if (state === 'terminated' || (state === 'stopping' && doc.timeline.at(-1)?.state === 'terminated')) return;
    const gone = ctx.clock.after('serverTerminate');
    doc.timeline = schedule(doc.timeline, now, { state: 'stopping', at: now }, { state: 'terminated', at: gone });
    ctx.store.put({ ...stored, doc });
    // As on EC2, data volumes outlive their server: they come free when it is gone.
    for (const volume of ctx.store.list<VolumeDoc>('volume', region, { attachedTo: serverId })) {
      volume.doc.timeline = schedule(volume.doc.timeline, now, { state: 'available', at: gone });
      ctx.store.put({ ...volume, doc: volume.doc });
    }
  });
}

export function statusChecks(ctx: SimContext, region: string, serverId: string): StatusCheck {
  ctx.faults.check('statusChecks', { serverId });
  return checksOf(ctx, region, serverId);
}

/** One call for many servers, as EC2's DescribeInstanceStatus: one fault check, unknown ids left out. */
export function serverStatuses(ctx: SimContext, region: string, serverIds: string[]): ServerStatus[] {
  ctx.faults.check('serverStatuses');
  const statuses: ServerStatus[] = [];
  for (const serverId of new Set(serverIds)) {
    const stored = ctx.store.get<ServerDoc>('server', serverId);
    if (!stored || stored.region !== region) continue;
    statuses.push({
      serverId,
      state: stateAt(stored.doc.timeline, ctx.clock.now()),
      checks: checksOf(ctx, region, serverId),
    });
  }
  return statuses;
}

/** What the status checks would say, without a call to the cloud's API: a guest's own view of whether it is up. */
export function checksOf(ctx: SimContext, region: string, serverId: string): StatusCheck {
  const doc = loadServer(ctx, serverId, region);
  const now = ctx.clock.now();
  if (stateAt(doc.timeline, now) !== 'running') return 'initializing';
  if (ctx.faults.impaired({ serverId, serverName: doc.server.name, imageId: doc.server.imageId })) return 'impaired';
  return now >= doc.checksFrom ? 'ok' : 'initializing';
}
