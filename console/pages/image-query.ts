// What the images page lists, kept in the address (#/images?scope=own&q=web&limit=200) so a view can be linked
// and survives a reload.

export const SCOPES = {
  all: 'Own and public',
  own: 'Own images',
  public: 'Public library',
  shared: 'Shared with us',
} as const;
export const PAGE_SIZES = [50, 200, 1000] as const;

export interface ImageQuery {
  scope: keyof typeof SCOPES;
  q: string;
  limit: number;
}

export function readImageQuery(hash: string): ImageQuery {
  const params = new URLSearchParams(hash.split('?')[1] ?? '');
  const scope = params.get('scope') ?? '';
  const limit = Number(params.get('limit'));
  return {
    scope: scope in SCOPES ? (scope as ImageQuery['scope']) : 'all',
    q: params.get('q') ?? '',
    // The API caps limit at 1000.
    limit: Number.isInteger(limit) && limit >= 1 && limit <= 1000 ? limit : 200,
  };
}

/** Replaces the address without a hashchange, so the page is not reloaded by its own navigation. */
export function writeImageQuery(query: ImageQuery): void {
  const params = new URLSearchParams({
    scope: query.scope,
    limit: String(query.limit),
    ...(query.q ? { q: query.q } : {}),
  });
  history.replaceState(null, '', `#/images?${params}`);
}
