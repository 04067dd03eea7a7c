import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Keyring } from '../../secrets/keyring';

/** The HKDF label: the derived key signs console sessions and nothing else; a new cookie format takes a new label. */
const SESSION_KEY_INFO = 'machine-images console session v1';
/** Far above a real cookie (about 160 characters): anything longer is refused before it is parsed. */
const MAX_TOKEN_LENGTH = 1024;
/** How often a cookie under a key id this ring does not know may make it read its file again. */
const REREAD_EVERY_MS = 5_000;

export interface SessionClaims {
  /** The session's own random id: what a sign-out revokes. */
  sessionId: string;
  /** The API key's id (Principal.keyId): the principal is looked up in the keys in force at each use. */
  keyId: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** What the cookie carries before its signature: the claims, and the id of the keyring key that signed them. */
const SignedSchema = z.object({ k: z.string(), s: z.string(), p: z.string(), e: z.number().int() }).strict();

// A console session is a cookie any API replica can check: base64url(JSON claims) "." base64url(HMAC-SHA256), signed
// under a key derived (HKDF) from the current key of the service's keyring. Only the current key's signatures are
// accepted, so rotating the keyring ends every session.
export class SessionCookies {
  /** By keyring key: deriving costs little, but a session is checked on every codec call. */
  private readonly derived = new WeakMap<Buffer, Buffer>();
  private rereadAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly keyring: Keyring) {}

  sign(claims: SessionClaims): string {
    const { id, key } = this.keyring.current;
    const body = Buffer.from(
      JSON.stringify({ k: id, s: claims.sessionId, p: claims.keyId, e: claims.expiresAt }),
    ).toString('base64url');
    return `${body}.${this.mac(key, body).toString('base64url')}`;
  }

  /** The claims of a cookie this service signed under its current key and that has not expired; undefined otherwise. */
  verify(token: string, now: number): SessionClaims | undefined {
    if (token.length > MAX_TOKEN_LENGTH) return undefined;
    const [body, mac, ...rest] = token.split('.');
    if (!body || !mac || rest.length) return undefined;
    const signed = this.parse(body);
    if (!signed) return undefined;
    // A ring that lacks the id reads its file again (another process may have rotated), at most every few seconds:
    // a cookie's key id is the caller's to choose, and must not buy a file read per request. Only the current key counts.
    const known = this.keyring.ids.includes(signed.k);
    if (!known && now - this.rereadAt < REREAD_EVERY_MS) return undefined;
    if (!known) this.rereadAt = now;
    const key = this.keyring.find(signed.k);
    if (!key || signed.k !== this.keyring.current.id) return undefined;
    const expected = this.mac(key, body);
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (signed.e <= now) return undefined;
    return { sessionId: signed.s, keyId: signed.p, expiresAt: signed.e };
  }

  private parse(body: string): z.infer<typeof SignedSchema> | undefined {
    try {
      const parsed = SignedSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  private mac(key: Buffer, body: string): Buffer {
    let derived = this.derived.get(key);
    if (!derived) {
      derived = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), SESSION_KEY_INFO, 32));
      this.derived.set(key, derived);
    }
    return createHmac('sha256', derived).update(body).digest();
  }
}
