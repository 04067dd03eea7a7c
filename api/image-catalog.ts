import type { Architecture, ImageState, MachineImage } from '../domain/image';
import type { LabelColor } from '../domain/images';
import type { Page } from '../domain/page';
import type { CloudProvider, PublicImageQuery } from '../providers/cloud-provider';
import { ApiError } from './errors';

export interface ImageListQuery {
  region: string;
  scope: 'own' | 'public' | 'all' | 'shared';
  q?: string;
  platform?: string;
  architecture?: Architecture;
  owner?: string;
  family?: string;
  state?: ImageState;
  label?: LabelColor;
  includeDeprecated: boolean;
  /** Which images the caller may see (its groups'); applied before paging. */
  visible?: (image: MachineImage) => boolean;
  cursor?: string;
  limit: number;
}

/**
 * Where a listing stands: in the own images (an offset), in the public search (the provider's cursor), or in the
 * images other accounts shared with this one (an offset).
 */
type Position = { p: 'own' | 'shared'; o: number } | { p: 'public'; c?: string };

const TTL_MS = 30_000;
const MAX_ENTRIES = 500;
const OWN_BATCH = 1000;

const encode = (position: Position): string => Buffer.from(JSON.stringify(position)).toString('base64url');

function decode(cursor: string | undefined, scope: ImageListQuery['scope']): Position {
  const start: Position = scope === 'public' ? { p: 'public' } : { p: scope === 'shared' ? 'shared' : 'own', o: 0 };
  if (cursor === undefined) return start;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<{
      p: string;
      o: unknown;
      c: unknown;
    }>;
    const fits = scope === 'all' || value.p === scope;
    if (
      fits &&
      (value.p === 'own' || value.p === 'shared') &&
      typeof value.o === 'number' &&
      Number.isInteger(value.o) &&
      value.o >= 0
    )
      return { p: value.p, o: value.o };
    if (fits && value.p === 'public' && (value.c === undefined || typeof value.c === 'string'))
      return value.c === undefined ? { p: 'public' } : { p: 'public', c: value.c };
  } catch {
    // falls through to the error below
  }
  throw new ApiError(
    400,
    'invalid_request',
    'querystring.cursor: is not one this listing returned; pass nextCursor from the previous page unchanged, with the same scope, or omit it to start over',
  );
}

/** Case-insensitive: a glob (`*`, `?`) matches the whole name, anything else is a substring (as the drivers' public search). */
function nameMatcher(q: string | undefined): (name: string) => boolean {
  if (!q) return () => true;
  const lower = q.toLowerCase();
  if (!/[*?]/.test(q)) return (name) => name.toLowerCase().includes(lower);
  const source = [...lower]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const pattern = new RegExp(`^${source}$`, 's');
  return (name) => pattern.test(name.toLowerCase());
}

/** The filters the provider may not apply itself, applied to every page. */
function localFilter(query: ImageListQuery): (image: MachineImage) => boolean {
  const matchesName = nameMatcher(query.q);
  const showDeprecated = query.includeDeprecated || query.state === 'deprecated';
  const visible = query.visible ?? (() => true);
  return (image) =>
    visible(image) &&
    matchesName(image.name) &&
    (!query.platform || image.platform === query.platform) &&
    (!query.architecture || image.architecture === query.architecture) &&
    (!query.owner || image.ownerId === query.owner) &&
    (!query.family || image.tags.family === query.family) &&
    (!query.state || image.state === query.state) &&
    (!query.label || (image.labelColor ?? 'none') === query.label) &&
    (showDeprecated || image.state !== 'deprecated');
}

// Catalog reads through a short cache. Every write made through this service calls invalidate(); changes made
// elsewhere show within TTL_MS. Safety checks (deletion) never read from here.
export class ImageCatalog {
  private readonly cache = new Map<string, { expires: number; value: Promise<unknown> }>();

  constructor(
    private readonly provider: CloudProvider,
    private readonly now: () => number = Date.now,
  ) {}

  invalidate(): void {
    this.cache.clear();
  }

  async list(query: ImageListQuery): Promise<Page<MachineImage>> {
    const position = decode(query.cursor, query.scope);
    if (position.p === 'public') return this.publicPage(query, position.c, query.limit);
    if (position.p === 'shared') {
      const shared = (await this.sharedImages(query.region)).filter(localFilter(query));
      const next = position.o + query.limit;
      return {
        items: shared.slice(position.o, next),
        ...(next < shared.length ? { nextCursor: encode({ p: 'shared', o: next }) } : {}),
      };
    }
    const own = (await this.ownImages(query.region)).filter(localFilter(query));
    const items = own.slice(position.o, position.o + query.limit);
    const next = position.o + query.limit;
    if (next < own.length) return { items, nextCursor: encode({ p: 'own', o: next }) };
    if (query.scope === 'own') return { items };
    const room = query.limit - items.length;
    if (room === 0) return { items, nextCursor: encode({ p: 'public' }) };
    const rest = await this.publicPage(query, undefined, room);
    return { items: [...items, ...rest.items], ...(rest.nextCursor ? { nextCursor: rest.nextCursor } : {}) };
  }

  /** One image as any client may launch it (own or public). */
  get(region: string, imageId: string): Promise<MachineImage> {
    return this.cached(`image|${region}|${imageId}`, () => this.provider.getImage(region, imageId));
  }

  private async publicPage(
    query: ImageListQuery,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<MachineImage>> {
    const search: PublicImageQuery = {
      limit,
      ...(cursor ? { cursor } : {}),
      ...(query.q ? { q: query.q } : {}),
      ...(query.platform ? { platform: query.platform } : {}),
      ...(query.architecture ? { architecture: query.architecture } : {}),
      ...(query.owner ? { ownerId: query.owner } : {}),
      ...(query.family ? { tag: { key: 'family', value: query.family } } : {}),
    };
    const page = await this.cached(`public|${query.region}|${JSON.stringify(search)}`, () =>
      this.provider.searchPublicImages(query.region, search),
    );
    // Deprecated, state and label are filtered here, so a page may hold fewer than `limit` items.
    const items = page.items.filter(localFilter(query));
    return { items, ...(page.nextCursor ? { nextCursor: encode({ p: 'public', c: page.nextCursor }) } : {}) };
  }

  private ownImages(region: string): Promise<MachineImage[]> {
    return this.allPages(`own|${region}`, (page) => this.provider.listImages(region, page));
  }

  /** Other accounts' images shared with this one by id. */
  private sharedImages(region: string): Promise<MachineImage[]> {
    return this.allPages(`shared|${region}`, (page) => this.provider.listSharedImages(region, page));
  }

  private allPages(
    key: string,
    list: (page: { limit: number; cursor?: string }) => Promise<Page<MachineImage>>,
  ): Promise<MachineImage[]> {
    return this.cached(key, async () => {
      const all: MachineImage[] = [];
      let cursor: string | undefined;
      do {
        const page = await list({ limit: OWN_BATCH, ...(cursor ? { cursor } : {}) });
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return all;
    });
  }

  /** The promise is cached, so concurrent reads share one call; a failed call is not kept. */
  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.now();
    const hit = this.cache.get(key);
    if (hit && hit.expires > now) return hit.value as Promise<T>;
    if (hit) this.cache.delete(key);
    if (this.cache.size >= MAX_ENTRIES) this.evictExpiredOrOldest(now);
    const value = load();
    this.cache.set(key, { expires: now + TTL_MS, value });
    void value.catch(() => {
      if (this.cache.get(key)?.value === value) this.cache.delete(key);
    });
    return value;
  }

  private evictExpiredOrOldest(now: number): void {
    for (const [key, entry] of this.cache) if (entry.expires <= now) this.cache.delete(key);
    // A Map iterates in insertion order: the first key is the oldest.
    const oldest = this.cache.keys().next();
    if (this.cache.size >= MAX_ENTRIES && !oldest.done) this.cache.delete(oldest.value);
  }
}

/** Changes are for own images only: not public, and not another account's shared with this one. */
export function requireOwnImage(image: MachineImage, action: string): void {
  if (image.visibility === 'private') return;
  if (image.visibility === 'shared')
    throw new ApiError(
      409,
      'not_own_image',
      `image ${image.id} belongs to account ${image.ownerId}, which shared it with this one; to ${action} it, clone it first (POST /v1/images/${image.id}/clone) and ${action} the copy`,
    );
  throw new ApiError(
    409,
    'not_own_image',
    `image ${image.id} is a public image of ${image.ownerId}, not one of this account's; to ${action} it, clone it first (POST /v1/images/${image.id}/clone) and ${action} the copy`,
  );
}
