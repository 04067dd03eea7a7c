import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import type { Image, Page, Server } from '../types';
import type { ImageQuery } from './image-query';

export interface ImageListing {
  images: Image[];
  /** Servers not terminated per image id, from one listing of the region's servers. */
  servers: Map<string, number>;
  nextCursor?: string;
  loading: boolean;
  problem?: string;
}

function imagesPath(region: string, query: ImageQuery, cursor?: string): string {
  // Deprecated images stay listed (struck through), as the original console showed them.
  const params = new URLSearchParams({
    region,
    scope: query.scope,
    limit: String(query.limit),
    includeDeprecated: 'true',
  });
  if (query.q) params.set('q', query.q);
  if (cursor) params.set('cursor', cursor);
  return `/v1/images?${params}`;
}

function countByImage(servers: Server[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const server of servers)
    if (server.state !== 'terminated') counts.set(server.imageId, (counts.get(server.imageId) ?? 0) + 1);
  return counts;
}

/** Pages of servers the count reads at most: 4,000 servers; a region with more shows the counts of the newest. */
const MAX_SERVER_PAGES = 20;

/** Every server of the region the key may see, 200 to a page (one request for most regions). */
async function regionServers(region: string): Promise<Server[]> {
  const servers: Server[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_SERVER_PAGES; page++) {
    const params = new URLSearchParams({ region, limit: '200', ...(cursor ? { cursor } : {}) });
    const answer = await api<Page<Server>>('GET', `/v1/servers?${params}`);
    servers.push(...answer.items);
    cursor = answer.nextCursor;
    if (!cursor) break;
  }
  return servers;
}

/** The listing of a region's images with their server counts: two requests for most regions, however many rows. */
export function useImageListing(region: string, query: ImageQuery) {
  const [listing, setListing] = useState<ImageListing>({ images: [], servers: new Map(), loading: true });
  // Answers to an older region or query are dropped, so a slow one cannot overwrite a newer one.
  const generation = useRef(0);

  async function load(): Promise<void> {
    const mine = ++generation.current;
    setListing((current) => ({ ...current, loading: true, problem: undefined }));
    try {
      const [page, servers] = await Promise.all([
        api<Page<Image>>('GET', imagesPath(region, query)),
        regionServers(region),
      ]);
      if (mine === generation.current)
        setListing({
          images: page.items,
          servers: countByImage(servers),
          nextCursor: page.nextCursor,
          loading: false,
        });
    } catch (err) {
      if (mine === generation.current)
        setListing({ images: [], servers: new Map(), loading: false, problem: (err as Error).message });
    }
  }

  async function more(): Promise<void> {
    const mine = generation.current;
    setListing((current) => ({ ...current, loading: true }));
    try {
      const page = await api<Page<Image>>('GET', imagesPath(region, query, listing.nextCursor));
      if (mine === generation.current)
        setListing((current) => ({
          ...current,
          images: [...current.images, ...page.items],
          nextCursor: page.nextCursor,
          loading: false,
        }));
    } catch (err) {
      if (mine === generation.current)
        setListing((current) => ({ ...current, loading: false, problem: (err as Error).message }));
    }
  }

  useEffect(() => {
    void load();
  }, [region, query.scope, query.q, query.limit]);

  return {
    ...listing,
    reload: load,
    more,
    replace: (image: Image) =>
      setListing((current) => ({ ...current, images: current.images.map((i) => (i.id === image.id ? image : i)) })),
    remove: (id: string) =>
      setListing((current) => ({ ...current, images: current.images.filter((i) => i.id !== id) })),
  };
}
