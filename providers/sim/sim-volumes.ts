import type { Volume, VolumeState } from '../../domain/volume';
import type { CreateVolumeInput, VolumeFilter } from '../cloud-provider';
import { ProviderError } from '../../domain/cloud-errors';
import { hasTag, newId, notFound, requireZone, type SimContext } from './context';
import { loadServer, serverView } from './sim-servers';
import { schedule, stateAt, type Timeline } from './timeline';

export const SIM_VOLUME_TYPES = ['gp3', 'gp2', 'io2', 'st1', 'standard'] as const;
export const SIM_MAX_VOLUMES_PER_SERVER = 16;

export interface VolumeDoc {
  volume: Omit<Volume, 'state' | 'serverId' | 'device'>;
  timeline: Timeline<VolumeState>;
  attachment?: { serverId: string; device: string };
}

const ATTACHED: VolumeState[] = ['attaching', 'in-use', 'detaching'];

export function volumeView(ctx: SimContext, doc: VolumeDoc): Volume {
  const state = stateAt(doc.timeline, ctx.clock.now());
  return { ...doc.volume, state, ...(doc.attachment && ATTACHED.includes(state) ? doc.attachment : {}) };
}

function load(ctx: SimContext, region: string, volumeId: string): VolumeDoc {
  const stored = ctx.store.get<VolumeDoc>('volume', volumeId);
  if (!stored || stored.region !== region) throw notFound('volume', volumeId);
  return stored.doc;
}

export function createVolume(ctx: SimContext, region: string, input: CreateVolumeInput): Volume {
  ctx.faults.check('createVolume');
  const zone = requireZone(region, input.zone);
  const type = input.type ?? 'gp3';
  if (!(SIM_VOLUME_TYPES as readonly string[]).includes(type))
    throw new ProviderError(
      'InvalidInput',
      `volume type ${type} does not exist; choose one of ${SIM_VOLUME_TYPES.join(', ')}`,
    );
  if (!Number.isInteger(input.sizeGb) || input.sizeGb < 1 || input.sizeGb > 16384)
    throw new ProviderError('InvalidInput', `volume size ${input.sizeGb} GiB is out of range; use 1 to 16384`);
  if (input.kmsKeyId && !input.encrypted) throw new ProviderError('InvalidInput', 'a KMS key needs encrypted: true');
  return ctx.store.transaction(() => {
    const existing = ctx.store.byToken<VolumeDoc>('volume', region, input.clientToken);
    if (existing) return volumeView(ctx, existing.doc);
    const live = ctx.store.countLive('volume', region, ctx.clock.now());
    if (live >= ctx.quotas.volumes)
      throw new ProviderError(
        'QuotaExceeded',
        `the account has ${live} of its ${ctx.quotas.volumes} volumes in ${region}; delete some or raise the quota`,
      );
    const now = ctx.clock.now();
    const id = newId('vol');
    const doc: VolumeDoc = {
      volume: {
        id,
        sizeGb: input.sizeGb,
        type,
        zone,
        encrypted: input.encrypted,
        ...(input.kmsKeyId ? { kmsKeyId: input.kmsKeyId } : {}),
        createdAt: new Date(now).toISOString(),
        tags: input.tags ?? {},
      },
      timeline: [
        { state: 'creating', at: now },
        { state: 'available', at: ctx.clock.after('volumeCreate') },
      ],
    };
    ctx.store.put({ id, kind: 'volume', region, clientToken: input.clientToken, doc });
    return volumeView(ctx, doc);
  });
}

export function attachVolume(
  ctx: SimContext,
  region: string,
  volumeId: string,
  serverId: string,
  device: string,
): Volume {
  ctx.faults.check('attachVolume', { volumeId, serverId });
  if (!/^\/dev\/(sd|xvd|vd)[a-z]{1,2}$/.test(device))
    throw new ProviderError('InvalidInput', `device ${device} is not a device name such as /dev/sdf`);
  return ctx.store.transaction(() => {
    const doc = load(ctx, region, volumeId);
    const now = ctx.clock.now();
    const state = stateAt(doc.timeline, now);
    if (doc.attachment?.serverId === serverId && doc.attachment.device === device && ATTACHED.includes(state))
      return volumeView(ctx, doc);
    if (state !== 'available')
      throw new ProviderError('Conflict', `volume ${volumeId} is ${state}; attach it when available`);
    const server = serverView(ctx, loadServer(ctx, serverId, region));
    if (server.state !== 'running' && server.state !== 'stopped')
      throw new ProviderError(
        'Conflict',
        `server ${serverId} is ${server.state}; attach volumes to a running or stopped server`,
      );
    if (server.zone !== doc.volume.zone)
      throw new ProviderError(
        'InvalidInput',
        `volume ${volumeId} is in ${doc.volume.zone} but server ${serverId} is in ${server.zone}`,
      );
    const onServer = attachedTo(ctx, region, serverId);
    if (onServer.some((v) => v.device === device))
      throw new ProviderError('Conflict', `device ${device} is already in use on server ${serverId}`);
    if (onServer.length >= SIM_MAX_VOLUMES_PER_SERVER)
      throw new ProviderError(
        'QuotaExceeded',
        `server ${serverId} has ${onServer.length} volumes, the most it can have`,
      );
    doc.attachment = { serverId, device };
    doc.timeline = schedule(
      doc.timeline,
      now,
      { state: 'attaching', at: now },
      { state: 'in-use', at: ctx.clock.after('volumeAttach') },
    );
    ctx.store.put({ id: volumeId, kind: 'volume', region, clientToken: null, doc });
    return volumeView(ctx, doc);
  });
}

export function detachVolume(ctx: SimContext, region: string, volumeId: string): Volume {
  ctx.faults.check('detachVolume', { volumeId });
  return ctx.store.transaction(() => {
    const doc = load(ctx, region, volumeId);
    const now = ctx.clock.now();
    const state = stateAt(doc.timeline, now);
    if (state === 'available' || state === 'detaching') return volumeView(ctx, doc);
    if (state !== 'in-use' && state !== 'attaching')
      throw new ProviderError('Conflict', `volume ${volumeId} is ${state}; nothing to detach`);
    doc.timeline = schedule(
      doc.timeline,
      now,
      { state: 'detaching', at: now },
      { state: 'available', at: ctx.clock.after('volumeDetach') },
    );
    ctx.store.put({ id: volumeId, kind: 'volume', region, clientToken: null, doc });
    return volumeView(ctx, doc);
  });
}

export function deleteVolume(ctx: SimContext, region: string, volumeId: string): void {
  ctx.faults.check('deleteVolume', { volumeId });
  ctx.store.transaction(() => {
    const stored = ctx.store.get<VolumeDoc>('volume', volumeId);
    if (!stored || stored.region !== region) return; // already gone counts as done
    const state = stateAt(stored.doc.timeline, ctx.clock.now());
    if (ATTACHED.includes(state))
      throw new ProviderError('Conflict', `volume ${volumeId} is ${state}; detach it first`);
    ctx.store.delete('volume', volumeId);
  });
}

export function getVolume(ctx: SimContext, region: string, volumeId: string): Volume {
  return volumeView(ctx, load(ctx, region, volumeId));
}

export function listVolumes(ctx: SimContext, region: string, filter: VolumeFilter = {}): Volume[] {
  return ctx.store
    .list<VolumeDoc>(
      'volume',
      region,
      filter.serverId ? { attachedTo: filter.serverId } : filter.tag ? { tag: filter.tag } : {},
    )
    .map((s) => volumeView(ctx, s.doc))
    .filter((v) => (!filter.serverId || v.serverId === filter.serverId) && hasTag(v.tags, filter.tag));
}

function attachedTo(ctx: SimContext, region: string, serverId: string): Volume[] {
  return listVolumes(ctx, region, { serverId });
}

/** The server's block devices as its guest sees them, by stable id: the ground for volume preparation. */
export interface GuestDevice {
  id: string;
  path: string;
  sizeGb: number;
  volumeId?: string;
}

export function guestDevices(ctx: SimContext, region: string, serverId: string): GuestDevice[] {
  const server = loadServer(ctx, serverId, region);
  const root: GuestDevice = { id: 'virtio-root', path: '/dev/disk/by-id/virtio-root', sizeGb: 8 };
  const volumes = listVolumes(ctx, region, { serverId: server.server.id })
    .filter((v) => v.state === 'in-use')
    .map((v) => ({ id: `virtio-${v.id}`, path: `/dev/disk/by-id/virtio-${v.id}`, sizeGb: v.sizeGb, volumeId: v.id }));
  return [root, ...volumes];
}
