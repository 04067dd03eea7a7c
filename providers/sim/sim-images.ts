import type { ImageShares, ImageState, MachineImage } from '../../domain/image';
import type { Page, PageRequest } from '../../domain/page';
import type { CaptureImageInput, ImageUpdate, PublicImageQuery } from '../cloud-provider';
import { ProviderError } from '../../domain/cloud-errors';
import { SIM_PUBLIC_OWNER, seedPublicImages } from './catalog';
import { newId, notFound, requireRegion, type SimContext } from './context';
import { applyImageUpdate } from '../local/image-records';
import { requireName } from '../local/naming';
import { pageOf } from '../local/paging';
import { loadServer, type ServerDoc } from './sim-servers';
import { stateAt, type Timeline } from './timeline';
import { matchesQuery, newestFirst } from '../local/image-query';
import { ownedBy, visibilityFor } from '../local/image-shares';

export interface ImageDoc {
  image: Omit<MachineImage, 'state'>;
  timeline: Timeline<ImageState>;
  deprecation?: { at: number; replacementId?: string };
  disabled?: boolean;
  /** Accounts the owner shared the image with, and whether it made it public. */
  shares?: ImageShares;
}

const publicLibraries = new Map<string, MachineImage[]>();

/** The region's seeded public library (the same in every process, so it is computed, not stored). */
export function publicLibrary(region: string): MachineImage[] {
  requireRegion(region);
  let library = publicLibraries.get(region);
  if (!library) {
    library = seedPublicImages(region);
    publicLibraries.set(region, library);
  }
  return library;
}

export function imageView(ctx: SimContext, doc: ImageDoc): MachineImage {
  const now = ctx.clock.now();
  let state = stateAt(doc.timeline, now);
  if (state === 'available' && doc.disabled) state = 'disabled';
  else if (state === 'available' && doc.deprecation && doc.deprecation.at <= now) state = 'deprecated';
  const extra = {
    ...doc.image.extra,
    ...(doc.deprecation
      ? { deprecateAt: new Date(doc.deprecation.at).toISOString(), replacementId: doc.deprecation.replacementId }
      : {}),
  };
  return { ...doc.image, visibility: visibilityFor(doc, ctx.account) ?? doc.image.visibility, state, extra };
}

export function findImage(ctx: SimContext, region: string, imageId: string): MachineImage {
  const own = ctx.store.get<ImageDoc>('image', imageId);
  // Another account's image is found only when it is shared with this one or public.
  if (own && own.region === region && visibilityFor(own.doc, ctx.account)) return imageView(ctx, own.doc);
  const found = publicLibrary(region).find((image) => image.id === imageId);
  if (!found) throw new ProviderError('NotFound', `image ${imageId} does not exist in region ${region}`);
  return structuredClone(found);
}

export function listImages(ctx: SimContext, region: string, page?: PageRequest): Page<MachineImage> {
  requireRegion(region);
  const own = ctx.store.list<ImageDoc>('image', region).filter((s) => ownedBy(s.doc, ctx.account));
  return pageOf(own.map((s) => imageView(ctx, s.doc)).sort(newestFirst), page);
}

/** Other accounts' images shared with this account by id. */
export function listSharedImages(ctx: SimContext, region: string, page?: PageRequest): Page<MachineImage> {
  requireRegion(region);
  const shared = ctx.store
    .list<ImageDoc>('image', region)
    .filter((s) => visibilityFor(s.doc, ctx.account) === 'shared');
  return pageOf(shared.map((s) => imageView(ctx, s.doc)).sort(newestFirst), page);
}

/**
 * Public images the cloud published after the seed (new upstream builds), stored so every process sees them, and
 * other accounts' images their owners made public.
 */
function publishedImages(ctx: SimContext, region: string): MachineImage[] {
  return ctx.store
    .list<ImageDoc>('image', region)
    .filter((s) => s.doc.image.ownerId !== ctx.account && visibilityFor(s.doc, ctx.account) === 'public')
    .map((s) => imageView(ctx, s.doc));
}

/** The cloud publishes a new public image, as providers refresh their templates: the upstream of template families. */
export function publishPublicImage(
  ctx: SimContext,
  region: string,
  spec: {
    name: string;
    platform: string;
    architecture: MachineImage['architecture'];
    tags?: Record<string, string>;
    minDiskGb?: number;
  },
): MachineImage {
  requireRegion(region);
  const now = ctx.clock.now();
  return storeImage(ctx, region, null, {
    image: {
      name: spec.name,
      description: `${spec.name}, provided by the simulated cloud`,
      ownerId: SIM_PUBLIC_OWNER,
      visibility: 'public',
      architecture: spec.architecture,
      platform: spec.platform,
      minDiskGb: spec.minDiskGb ?? 8,
      tags: spec.tags ?? {},
      extra: {},
    },
    timeline: [{ state: 'available', at: now }],
  });
}

/** Stores a new image under a fresh id, created now; the id, provider, region and createdAt come from here. */
function storeImage(
  ctx: SimContext,
  region: string,
  clientToken: string | null,
  doc: { image: Omit<ImageDoc['image'], 'id' | 'provider' | 'region' | 'createdAt'>; timeline: ImageDoc['timeline'] },
): MachineImage {
  const id = newId('img');
  const stored: ImageDoc = {
    image: { id, provider: 'sim', region, createdAt: new Date(ctx.clock.now()).toISOString(), ...doc.image },
    timeline: doc.timeline,
  };
  ctx.store.put({ id, kind: 'image', region, clientToken, doc: stored });
  return imageView(ctx, stored);
}

export function searchPublicImages(ctx: SimContext, region: string, query: PublicImageQuery): Page<MachineImage> {
  const found = [...publicLibrary(region), ...publishedImages(ctx, region)].filter(matchesQuery(query));
  return pageOf(
    found.sort(newestFirst).map((image) => structuredClone(image)),
    query,
  );
}

export function loadOwn(ctx: SimContext, region: string, imageId: string): ImageDoc {
  const own = ctx.store.get<ImageDoc>('image', imageId);
  if (own && own.region === region && ownedBy(own.doc, ctx.account)) return own.doc;
  if (own?.region === region && visibilityFor(own.doc, ctx.account) === 'shared') {
    throw new ProviderError(
      'InvalidInput',
      `image ${imageId} belongs to account ${own.doc.image.ownerId}, which shared it with this one; clone it into a private image to change it`,
    );
  }
  if (
    (own?.region === region && visibilityFor(own.doc, ctx.account)) ||
    publicLibrary(region).some((image) => image.id === imageId)
  ) {
    throw new ProviderError(
      'InvalidInput',
      `image ${imageId} is a public image of the cloud; clone it into a private image to change it`,
    );
  }
  throw notFound('image', imageId);
}

function requireUniqueName(ctx: SimContext, region: string, name: string, except?: string): void {
  const taken = ctx.store.list<ImageDoc>('image', region).some((s) => s.id !== except && s.doc.image.name === name);
  if (taken)
    throw new ProviderError('Conflict', `an image named "${name}" already exists in ${region}; choose another name`);
}

export function captureImage(ctx: SimContext, region: string, input: CaptureImageInput): MachineImage {
  ctx.faults.check('captureImage', { serverId: input.serverId });
  requireName('image', input.name);
  return ctx.store.transaction(() => {
    const existing = input.clientToken ? ctx.store.byToken<ImageDoc>('image', region, input.clientToken) : undefined;
    if (existing) return imageView(ctx, existing.doc);
    const server: ServerDoc = loadServer(ctx, input.serverId, region);
    const serverState = stateAt(server.timeline, ctx.clock.now());
    if (serverState !== 'running' && serverState !== 'stopped') {
      throw new ProviderError(
        'Conflict',
        `server ${input.serverId} is ${serverState}; capture needs it running or stopped`,
      );
    }
    requireUniqueName(ctx, region, input.name);
    const source = (() => {
      try {
        return findImage(ctx, region, server.server.imageId);
      } catch {
        return undefined;
      }
    })();
    const now = ctx.clock.now();
    return storeImage(ctx, region, input.clientToken ?? null, {
      image: {
        name: input.name,
        description: input.description ?? '',
        ownerId: ctx.account,
        visibility: 'private',
        architecture: source?.architecture ?? 'x86_64',
        platform: source?.platform ?? 'linux',
        minDiskGb: source?.minDiskGb ?? 8,
        tags: { ...input.tags, Name: input.name },
        extra: { sourceServerId: input.serverId, parentImageId: server.server.imageId, rebooted: input.reboot },
      },
      timeline: ctx.faults.stuck('captureImage', { serverId: input.serverId, serverName: server.server.name })
        ? [{ state: 'pending', at: now }]
        : [
            { state: 'pending', at: now },
            { state: 'available', at: ctx.clock.after('imageCapture') },
          ],
    });
  });
}

/** Changes one own image inside a transaction and answers with its new view. */
export function changeImage(
  ctx: SimContext,
  region: string,
  imageId: string,
  operation: string,
  change: (doc: ImageDoc) => void,
): MachineImage {
  ctx.faults.check(operation, { imageId });
  return ctx.store.transaction(() => {
    const doc = loadOwn(ctx, region, imageId);
    change(doc);
    ctx.store.put({ id: imageId, kind: 'image', region, clientToken: null, doc });
    return imageView(ctx, doc);
  });
}

export function updateImage(ctx: SimContext, region: string, imageId: string, update: ImageUpdate): MachineImage {
  if (update.name !== undefined) requireName('image', update.name);
  return changeImage(ctx, region, imageId, 'updateImage', (doc) => {
    if (update.name !== undefined) requireUniqueName(ctx, region, update.name, imageId);
    applyImageUpdate(doc.image, update);
  });
}

export function deprecateImage(
  ctx: SimContext,
  region: string,
  imageId: string,
  options: { replacementId?: string; at?: string } = {},
): MachineImage {
  const at = options.at === undefined ? ctx.clock.now() : Date.parse(options.at);
  if (Number.isNaN(at))
    throw new ProviderError('InvalidInput', `deprecation time "${options.at}" is not an ISO 8601 date-time`);
  if (options.replacementId) findImage(ctx, region, options.replacementId);
  return changeImage(ctx, region, imageId, 'deprecateImage', (doc) => {
    doc.deprecation = { at, ...(options.replacementId ? { replacementId: options.replacementId } : {}) };
    if (options.replacementId) doc.image.tags['replaced-by'] = options.replacementId;
  });
}

export function deregisterImage(ctx: SimContext, region: string, imageId: string): void {
  ctx.faults.check('deregisterImage', { imageId });
  ctx.store.transaction(() => {
    const own = ctx.store.get<ImageDoc>('image', imageId);
    if (!own || own.region !== region || !ownedBy(own.doc, ctx.account)) {
      // A public or shared image is refused; an unknown one is already gone, which counts as done.
      if (
        (own?.region === region && visibilityFor(own.doc, ctx.account)) ||
        publicLibrary(region).some((image) => image.id === imageId)
      )
        loadOwn(ctx, region, imageId);
      return;
    }
    ctx.store.delete('image', imageId);
  });
}
