import type { Page, PageRequest } from '../../domain/page';
import { ProviderError } from '../../domain/cloud-errors';

/** Offset paging over a list the sim holds whole; the cursor is opaque to callers. */
export function pageOf<T>(items: T[], request: PageRequest = {}): Page<T> {
  const limit = request.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new ProviderError('InvalidInput', `limit ${limit} is out of range; use 1 to 1000`);
  const offset = request.cursor === undefined ? 0 : decodeCursor(request.cursor);
  const slice = items.slice(offset, offset + limit);
  const next = offset + limit;
  return next < items.length
    ? { items: slice, nextCursor: Buffer.from(JSON.stringify({ o: next })).toString('base64url') }
    : { items: slice };
}

function decodeCursor(cursor: string): number {
  try {
    const { o } = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { o: unknown };
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch {
    // falls through to the error below
  }
  throw new ProviderError('InvalidInput', 'cursor is not one this service returned; start again without a cursor');
}
