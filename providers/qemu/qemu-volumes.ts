import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Volume } from '../../domain/volume';
import type { CreateVolumeInput, VolumeFilter } from '../cloud-provider';
import { ProviderError } from '../../domain/cloud-errors';
import { hasTag } from '../local/tags';
import { QEMU_MAX_VOLUMES_PER_SERVER } from './catalog';
import { newId, requireRegion, requireZone, volumeFile, type QemuContext } from './context';
import { plugDisk, qemuImg, unplugDisk } from './machine';
import { isAlive, loadServer, serverPaths } from './qemu-servers';

// Volumes are sparse qcow2 files; attaching one to a running server hot-plugs it through QMP with the volume id
// as its virtio serial, so the guest finds it at /dev/disk/by-id/virtio-<volume id>.

export interface VolumeDoc {
  volume: Omit<Volume, 'state' | 'serverId' | 'device'>;
  attachment?: { serverId: string; device: string; port: number };
}

export function volumeView(doc: VolumeDoc): Volume {
  const { attachment } = doc;
  return {
    ...doc.volume,
    state: attachment ? 'in-use' : 'available',
    ...(attachment ? { serverId: attachment.serverId, device: attachment.device } : {}),
  };
}

function loadVolume(ctx: QemuContext, region: string, volumeId: string): VolumeDoc {
  requireRegion(region);
  const stored = ctx.store.get<VolumeDoc>('volume', volumeId);
  if (!stored || stored.region !== region) throw new ProviderError('NotFound', `volume ${volumeId} does not exist`);
  return stored.doc;
}

/** The volume without its attachment: free again. */
export function freed(doc: VolumeDoc): VolumeDoc {
  const free = { ...doc };
  delete free.attachment;
  return free;
}

const save = (ctx: QemuContext, region: string, doc: VolumeDoc) =>
  ctx.store.put({ id: doc.volume.id, kind: 'volume', region, clientToken: null, doc });

export async function createVolume(ctx: QemuContext, region: string, input: CreateVolumeInput): Promise<Volume> {
  const zone = requireZone(region, input.zone);
  if (input.encrypted)
    throw new ProviderError(
      'Unsupported',
      'qemu volumes are not encrypted at rest; encrypt inside the guest with LUKS instead',
    );
  if (!Number.isInteger(input.sizeGb) || input.sizeGb < 1 || input.sizeGb > 1024)
    throw new ProviderError('InvalidInput', `volume size ${input.sizeGb} GiB is out of range; use 1 to 1024`);
  const doc = ctx.store.transaction(() => {
    const existing = ctx.store.byToken<VolumeDoc>('volume', region, input.clientToken);
    if (existing) return existing.doc;
    const id = newId('vol');
    const fresh: VolumeDoc = {
      volume: {
        id,
        sizeGb: input.sizeGb,
        type: 'qcow2',
        zone,
        encrypted: false,
        createdAt: new Date().toISOString(),
        tags: input.tags ?? {},
      },
    };
    ctx.store.put({ id, kind: 'volume', region, clientToken: input.clientToken, doc: fresh });
    return fresh;
  });
  const file = volumeFile(ctx, doc.volume.id);
  // A retry after a crash between the record and the file makes the file.
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // Sparse: a new volume costs nothing on the host until the guest writes to it.
    await qemuImg(['create', '-q', '-f', 'qcow2', `${file}.part`, `${doc.volume.sizeGb}G`]);
    renameSync(`${file}.part`, file);
  }
  return volumeView(doc);
}

export async function attachVolume(
  ctx: QemuContext,
  region: string,
  volumeId: string,
  serverId: string,
  device: string,
): Promise<Volume> {
  const doc = ctx.store.transaction(() => {
    const current = loadVolume(ctx, region, volumeId);
    if (current.attachment) {
      if (current.attachment.serverId === serverId) return current;
      throw new ProviderError(
        'Conflict',
        `volume ${volumeId} is attached to server ${current.attachment.serverId}; detach it first`,
      );
    }
    const server = loadServer(ctx, region, serverId);
    if (server.desired === 'terminated') throw new ProviderError('Conflict', `server ${serverId} is terminated`);
    const taken = new Set(
      ctx.store.list<VolumeDoc>('volume', region, { attachedTo: serverId }).map((v) => v.doc.attachment!.port),
    );
    const port = [...Array(QEMU_MAX_VOLUMES_PER_SERVER).keys()].find((p) => !taken.has(p));
    if (port === undefined)
      throw new ProviderError(
        'QuotaExceeded',
        `server ${serverId} has all ${QEMU_MAX_VOLUMES_PER_SERVER} volume slots in use`,
      );
    const next: VolumeDoc = { ...current, attachment: { serverId, device, port } };
    save(ctx, region, next);
    return next;
  });
  // A running machine gets the disk now; a stopped one is started with it.
  if (isAlive(ctx, serverId)) {
    try {
      await plugDisk(serverPaths(ctx, serverId).qmp, {
        serial: volumeId,
        file: volumeFile(ctx, volumeId),
        port: doc.attachment!.port,
      });
    } catch (err) {
      ctx.store.transaction(() => {
        save(ctx, region, freed(loadVolume(ctx, region, volumeId)));
      });
      throw new ProviderError(
        'Unavailable',
        `could not attach volume ${volumeId} to server ${serverId}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  return volumeView(doc);
}

export async function detachVolume(ctx: QemuContext, region: string, volumeId: string): Promise<Volume> {
  const doc = loadVolume(ctx, region, volumeId);
  if (!doc.attachment) return volumeView(doc);
  const { serverId } = doc.attachment;
  if (isAlive(ctx, serverId)) {
    await unplugDisk(serverPaths(ctx, serverId).qmp, volumeId).catch((err: Error) => {
      throw new ProviderError(
        'Unavailable',
        `server ${serverId} has not released volume ${volumeId} yet: ${err.message}`,
        { cause: err },
      );
    });
  }
  return ctx.store.transaction(() => {
    const free = freed(loadVolume(ctx, region, volumeId));
    save(ctx, region, free);
    return volumeView(free);
  });
}

export function deleteVolume(ctx: QemuContext, region: string, volumeId: string): void {
  requireRegion(region);
  ctx.store.transaction(() => {
    const stored = ctx.store.get<VolumeDoc>('volume', volumeId);
    if (!stored || stored.region !== region) return;
    if (stored.doc.attachment)
      throw new ProviderError(
        'Conflict',
        `volume ${volumeId} is attached to server ${stored.doc.attachment.serverId}; detach it first`,
      );
    rmSync(volumeFile(ctx, volumeId), { force: true });
    ctx.store.delete('volume', volumeId);
  });
}

export function getVolume(ctx: QemuContext, region: string, volumeId: string): Volume {
  return volumeView(loadVolume(ctx, region, volumeId));
}

export function listVolumes(ctx: QemuContext, region: string, filter: VolumeFilter = {}): Volume[] {
  requireRegion(region);
  const where = filter.serverId ? { attachedTo: filter.serverId } : filter.tag ? { tag: filter.tag } : {};
  return ctx.store
    .list<VolumeDoc>('volume', region, where)
    .map((s) => volumeView(s.doc))
    .filter((v) => (!filter.serverId || v.serverId === filter.serverId) && hasTag(v.tags, filter.tag));
}
