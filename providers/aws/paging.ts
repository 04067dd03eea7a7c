import type { Page, PageRequest } from '../../domain/page';
import { ProviderError } from '../../domain/cloud-errors';

export interface Batch<T> {
  items: T[];
  next?: string;
}

/** Fetches one EC2 page: `token` is EC2's NextToken (absent for the first). */
export type FetchBatch<T> = (token: string | undefined) => Promise<Batch<T>>;

/** Our cursor: EC2's NextToken of the batch we are in and how far into it we are. */
interface Cursor {
  t?: string;
  o: number;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

/** Every item, following NextToken to the end. */
export async function collectAll<T>(fetch: FetchBatch<T>): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const batch = await fetch(token);
    all.push(...batch.items);
    token = batch.next;
  } while (token);
  return all;
}

/**
 * One page of at most `limit` items. Works whether EC2 honours MaxResults (real EC2: batches and
 * NextToken) or not (moto returns everything at once): each batch is sliced locally from the offset.
 * The same token must fetch the same batch, so callers pass a fixed MaxResults and the same filters.
 */
export async function pageThrough<T>(request: PageRequest, fetch: FetchBatch<T>): Promise<Page<T>> {
  const limit = pageLimit(request.limit);
  let { t: token, o: offset } = decodeCursor(request.cursor);
  const items: T[] = [];
  for (;;) {
    const batch = await fetch(token);
    const room = limit - items.length;
    items.push(...batch.items.slice(offset, offset + room));
    if (offset + room < batch.items.length) return { items, nextCursor: encodeCursor({ t: token, o: offset + room }) };
    if (!batch.next) return { items };
    if (items.length >= limit) return { items, nextCursor: encodeCursor({ t: batch.next, o: 0 }) };
    token = batch.next;
    offset = 0;
  }
}

function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new ProviderError('InvalidInput', `limit must be a whole number from 1 to ${MAX_LIMIT}; got ${limit}`);
  }
  return Math.min(limit, MAX_LIMIT);
}

const encodeCursor = (cursor: Cursor): string =>
  Buffer.from(JSON.stringify(cursor.t === undefined ? { o: cursor.o } : cursor)).toString('base64url');

function decodeCursor(cursor: string | undefined): Cursor {
  if (cursor === undefined) return { o: 0 };
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null) {
      const { t, o } = value as Record<string, unknown>;
      if ((t === undefined || typeof t === 'string') && typeof o === 'number' && Number.isInteger(o) && o >= 0) {
        return t === undefined ? { o } : { t, o };
      }
    }
  } catch {
    // falls through to the error below
  }
  throw new ProviderError(
    'InvalidInput',
    'cursor is not one this listing returned; pass nextCursor from the previous page unchanged, or omit it to start over',
  );
}
