import { ApiError } from './errors';

// A keyset cursor: the last item's place in a list's total order, opaque to the caller (base64url JSON). An item
// made or removed between pages moves no other one, which an offset would.

export function writeCursor<K extends Record<string, string>>(key: K): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The key a cursor carries, each of `fields` a string; anything else is the caller's 400. */
export function readCursor<F extends string>(cursor: string, fields: readonly F[]): Record<F, string> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (key && typeof key === 'object' && fields.every((f) => typeof key[f] === 'string'))
      return Object.fromEntries(fields.map((f) => [f, key[f]])) as Record<F, string>;
  } catch {
    // below
  }
  throw new ApiError(
    400,
    'invalid_request',
    'querystring.cursor: not a cursor this API returned; start again without it',
  );
}
