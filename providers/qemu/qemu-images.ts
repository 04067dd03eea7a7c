import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { ImageShares, ImageState, MachineImage } from '../../domain/image';
import type { Page, PageRequest } from '../../domain/page';
import type { CaptureImageInput, ImageUpdate, PublicImageQuery } from '../cloud-provider';
import { ProviderError } from '../../domain/cloud-errors';
import { applyImageUpdate } from '../local/image-records';
import { ownedBy, visibilityFor } from '../local/image-shares';
import { requireName } from '../local/naming';
import { pageOf } from '../local/paging';
import { matchesQuery, newestFirst } from '../local/image-query';
import { QEMU_ACCOUNT, QEMU_PUBLIC_OWNER } from './catalog';
import { imageFile, newId, requireRegion, type QemuContext } from './context';
import type { ServerDoc } from './qemu-servers';
import type { ServerState } from '../../domain/server';

// Images are qcow2 files with the kernel and initrd they boot with. The public library is the base image the
// project builds (scripts/qemu/build-base-image.sh); captures are the account's own. A capture copies a stopped
// server's disk with `qemu-img convert` in a process of its own, so it survives the call that started it; its
// state is read off the files and that process.

export interface ImageDoc {
  image: Omit<MachineImage, 'state'>;
  files: { disk: string; kernel: string; initrd: string };
  capture?: { pid: number; serverId: string };
  deprecation?: { at: number; replacementId?: string };
  disabled?: boolean;
  /** Accounts the image is shared with, and whether it is public (providers/local/image-shares.ts). */
  shares?: ImageShares;
}

export interface BaseImageManifest {
  distribution: string;
  version: string;
  architecture: 'x86_64';
  kernel: string;
  builtAt: string;
  buildSeconds: number;
}

/** Whether the copy still runs: its pid lives and still names this image's file (a reused pid does not). */
function copying(capture: NonNullable<ImageDoc['capture']>, disk: string): boolean {
  try {
    return readFileSync(`/proc/${capture.pid}/cmdline`, 'utf8').includes(disk);
  } catch {
    return false;
  }
}

function stateOf(doc: ImageDoc): ImageState {
  if (doc.capture && !existsSync(doc.files.disk)) {
    if (copying(doc.capture, doc.files.disk)) return 'pending';
    // The copy may have renamed its file and ended between the two looks.
    return existsSync(doc.files.disk) ? 'available' : 'failed';
  }
  if (doc.disabled) return 'disabled';
  if (doc.deprecation && doc.deprecation.at <= Date.now()) return 'deprecated';
  return 'available';
}

export function view(doc: ImageDoc): MachineImage {
  const extra = {
    ...doc.image.extra,
    ...(doc.deprecation
      ? { deprecateAt: new Date(doc.deprecation.at).toISOString(), replacementId: doc.deprecation.replacementId }
      : {}),
  };
  const state = stateOf(doc);
  return {
    ...doc.image,
    state,
    extra,
    ...(state === 'failed' ? { stateReason: 'the disk copy stopped before it finished; capture again' } : {}),
  };
}

/** Registers the built base image as the public library's image, once per build (its id comes from the build). */
export function registerBaseImage(ctx: QemuContext, region: string): boolean {
  const manifestFile = path.join(ctx.baseImageDir, 'manifest.json');
  if (!existsSync(manifestFile)) return false;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BaseImageManifest;
  const id = `img-${createHash('sha256').update(`${ctx.baseImageDir}\n${manifest.builtAt}`).digest('hex').slice(0, 15)}`;
  ctx.store.transaction(() => {
    if (ctx.store.get('image', id)) return;
    const day = manifest.builtAt.slice(0, 10).replaceAll('-', '');
    const name = `${manifest.distribution}-${manifest.version}-${manifest.architecture}-${day}`;
    const doc: ImageDoc = {
      image: {
        id,
        provider: 'qemu',
        region,
        name,
        description: `${manifest.distribution} ${manifest.version} (kernel ${manifest.kernel}) with cloud-init, sshd, mdadm, cryptsetup and xfsprogs, built with debootstrap`,
        ownerId: QEMU_PUBLIC_OWNER,
        visibility: 'public',
        architecture: manifest.architecture,
        platform: manifest.distribution,
        createdAt: manifest.builtAt,
        minDiskGb: 4,
        tags: { family: `${manifest.distribution}-${manifest.version}`, version: day },
        extra: { kernel: manifest.kernel },
      },
      files: {
        disk: path.join(ctx.baseImageDir, 'disk.qcow2'),
        kernel: path.join(ctx.baseImageDir, 'vmlinuz'),
        initrd: path.join(ctx.baseImageDir, 'initrd.img'),
      },
    };
    ctx.store.put({ id, kind: 'image', region, clientToken: null, doc });
  });
  return true;
}

export function findImageDoc(ctx: QemuContext, region: string, imageId: string): { doc: ImageDoc; view: MachineImage } {
  requireRegion(region);
  const stored = ctx.store.get<ImageDoc>('image', imageId);
  // Another account's image is found only when shared with this one or public (providers/local/image-shares.ts).
  const visibility = stored && visibilityFor(stored.doc, QEMU_ACCOUNT);
  if (!stored || stored.region !== region || !visibility)
    throw new ProviderError('NotFound', `image ${imageId} does not exist in region ${region}`);
  return { doc: stored.doc, view: { ...view(stored.doc), visibility } };
}

/** The disk a new server's root overlay is backed by. */
export function imageDisk(ctx: QemuContext, region: string, imageId: string): string {
  const { doc } = findImageDoc(ctx, region, imageId);
  if (!existsSync(doc.files.disk))
    throw new ProviderError(
      'Unavailable',
      `image ${imageId}'s disk ${doc.files.disk} is missing; rebuild the base image (npm run qemu:image)`,
    );
  return doc.files.disk;
}

export const getImage = (ctx: QemuContext, region: string, imageId: string): MachineImage =>
  findImageDoc(ctx, region, imageId).view;

export function listImages(ctx: QemuContext, region: string, page?: PageRequest): Page<MachineImage> {
  requireRegion(region);
  const own = ctx.store.list<ImageDoc>('image', region).filter((s) => ownedBy(s.doc, QEMU_ACCOUNT));
  return pageOf(own.map((s) => view(s.doc)).sort(newestFirst), page);
}

export function searchPublicImages(ctx: QemuContext, region: string, query: PublicImageQuery): Page<MachineImage> {
  requireRegion(region);
  const found = ctx.store
    .list<ImageDoc>('image', region)
    .filter((s) => s.doc.image.visibility === 'public')
    .map((s) => view(s.doc))
    .filter(matchesQuery(query));
  return pageOf(found.sort(newestFirst), query);
}

function requireUniqueName(ctx: QemuContext, region: string, name: string, except?: string): void {
  const taken = ctx.store.list<ImageDoc>('image', region).some((s) => s.id !== except && s.doc.image.name === name);
  if (taken)
    throw new ProviderError('Conflict', `an image named "${name}" already exists in ${region}; choose another name`);
}

/**
 * Starts copying a stopped server's disk into a standalone image. `readServer` runs inside this transaction and
 * holds the server stopped (qemu-servers.ts holdStoppedForCapture); passing it keeps this file free of the
 * servers' code at run time.
 */
export function captureImage(
  ctx: QemuContext,
  region: string,
  input: CaptureImageInput,
  readServer: () => { doc: ServerDoc; state: ServerState; rootDisk: string },
): MachineImage {
  requireName('image', input.name);
  return ctx.store.transaction(() => {
    const existing = input.clientToken ? ctx.store.byToken<ImageDoc>('image', region, input.clientToken) : undefined;
    if (existing) return view(existing.doc);
    // Read inside the transaction: a start (which takes the same lock) cannot slip in between the look and the copy.
    const server = readServer();
    if (server.state !== 'stopped') {
      throw new ProviderError(
        'Conflict',
        `server ${input.serverId} is ${server.state}; the qemu cloud captures stopped servers only (stop it first, or capture with reboot)`,
      );
    }
    requireUniqueName(ctx, region, input.name);
    const source = ctx.store.get<ImageDoc>('image', server.doc.server.imageId)?.doc;
    const id = newId('img');
    const disk = imageFile(ctx, id);
    mkdirSync(path.dirname(disk), { recursive: true, mode: 0o700 });
    // The copy runs on its own (its own process group, so deleting the image can stop all of it): it writes beside
    // the final name and renames when whole, so "the file exists" means "the image is complete", whoever asks.
    const copy = spawn(
      'sh',
      [
        '-c',
        'exec 2>/dev/null; qemu-img convert -O qcow2 "$1" "$2.part" && mv "$2.part" "$2"',
        'capture',
        server.rootDisk,
        disk,
      ],
      {
        detached: true,
        stdio: 'ignore',
      },
    );
    copy.on('error', () => undefined); // a failed spawn has no pid: answered below
    if (!copy.pid)
      throw new ProviderError('Unavailable', `could not start copying server ${input.serverId}'s disk; try again`);
    copy.unref();
    const doc: ImageDoc = {
      image: {
        id,
        provider: 'qemu',
        region,
        name: input.name,
        description: input.description ?? '',
        ownerId: QEMU_ACCOUNT,
        visibility: 'private',
        architecture: source?.image.architecture ?? 'x86_64',
        platform: source?.image.platform ?? 'linux',
        createdAt: new Date().toISOString(),
        minDiskGb: source?.image.minDiskGb ?? 4,
        tags: { ...input.tags, Name: input.name },
        extra: { sourceServerId: input.serverId, parentImageId: server.doc.server.imageId, rebooted: input.reboot },
      },
      files: { disk, kernel: server.doc.kernel, initrd: server.doc.initrd },
      capture: { pid: copy.pid, serverId: input.serverId },
    };
    ctx.store.put({ id, kind: 'image', region, clientToken: input.clientToken ?? null, doc });
    return view(doc);
  });
}

/** A capture still copying from this server, if any: the server must not start and change the disk meanwhile. */
export function captureInProgress(ctx: QemuContext, region: string, serverId: string): string | undefined {
  const copying = ctx.store
    .list<ImageDoc>('image', region)
    .find((s) => s.doc.capture?.serverId === serverId && stateOf(s.doc) === 'pending');
  return copying ? `image ${copying.id} is being copied from its disk` : undefined;
}

export function changeOwn(
  ctx: QemuContext,
  region: string,
  imageId: string,
  change: (doc: ImageDoc) => void,
): MachineImage {
  return ctx.store.transaction(() => {
    const { doc } = findImageDoc(ctx, region, imageId);
    if (doc.image.visibility === 'public')
      throw new ProviderError(
        'InvalidInput',
        `image ${imageId} is a public image of the cloud; clone it into a private image to change it`,
      );
    if (!ownedBy(doc, QEMU_ACCOUNT))
      throw new ProviderError(
        'InvalidInput',
        `image ${imageId} belongs to account ${doc.image.ownerId}, which shared it with this one; clone it to change it`,
      );
    change(doc);
    ctx.store.put({ id: imageId, kind: 'image', region, clientToken: null, doc });
    return view(doc);
  });
}

export function updateImage(ctx: QemuContext, region: string, imageId: string, update: ImageUpdate): MachineImage {
  if (update.name !== undefined) requireName('image', update.name);
  return changeOwn(ctx, region, imageId, (doc) => {
    if (update.name !== undefined) requireUniqueName(ctx, region, update.name, imageId);
    applyImageUpdate(doc.image, update);
  });
}

export function deprecateImage(
  ctx: QemuContext,
  region: string,
  imageId: string,
  options: { replacementId?: string; at?: string } = {},
): MachineImage {
  const at = options.at === undefined ? Date.now() : Date.parse(options.at);
  if (Number.isNaN(at))
    throw new ProviderError('InvalidInput', `deprecation time "${options.at}" is not an ISO 8601 date-time`);
  if (options.replacementId) findImageDoc(ctx, region, options.replacementId);
  return changeOwn(ctx, region, imageId, (doc) => {
    doc.deprecation = { at, ...(options.replacementId ? { replacementId: options.replacementId } : {}) };
    if (options.replacementId) doc.image.tags['replaced-by'] = options.replacementId;
  });
}

export const disableImage = (ctx: QemuContext, region: string, imageId: string) =>
  changeOwn(ctx, region, imageId, (doc) => void (doc.disabled = true));
export const enableImage = (ctx: QemuContext, region: string, imageId: string) =>
  changeOwn(ctx, region, imageId, (doc) => void delete doc.disabled);

/** Removes an own image and its disk; refused while servers boot from it (their disks are overlays on it). */
export function deregisterImage(
  ctx: QemuContext,
  region: string,
  imageId: string,
  usedBy: (imageId: string) => string | undefined,
): void {
  requireRegion(region);
  ctx.store.transaction(() => {
    const stored = ctx.store.get<ImageDoc>('image', imageId);
    if (!stored || stored.region !== region) return;
    if (!ownedBy(stored.doc, QEMU_ACCOUNT))
      throw new ProviderError('InvalidInput', `image ${imageId} is not this account's; it cannot be deleted`);
    const user = usedBy(imageId);
    if (user)
      throw new ProviderError('Conflict', `image ${imageId} is the base of server ${user}'s disk; terminate it first`);
    if (stored.doc.capture && copying(stored.doc.capture, stored.doc.files.disk)) {
      try {
        process.kill(-stored.doc.capture.pid, 'SIGTERM');
      } catch {
        // it ended meanwhile
      }
    }
    rmSync(stored.doc.files.disk, { force: true });
    rmSync(`${stored.doc.files.disk}.part`, { force: true });
    ctx.store.delete('image', imageId);
  });
}
