import { randomBytes } from 'node:crypto';
import type { Principal } from '../../domain/access';
import type { ApiKeys } from './api-keys';
import type { SessionCookies } from './session-cookie';
import type { SessionRevocations } from './session-revocations';

export const SESSION_COOKIE = 'mi_session';
const TTL_MS = 12 * 60 * 60 * 1000;

// Browser sessions for what a browser cannot send a bearer key to: the Temporal Web UI's calls to the codec endpoint
// (it sends cookies once "include cross-origin credentials" is ticked). The console opens one at sign-in. A session
// is a signed cookie any API replica checks on its own (session-cookie.ts); it names the key, not the principal, so a
// key removed from the keys file ends its sessions too; a sign-out is shared through Temporal (session-revocations.ts).
export class BrowserSessions {
  constructor(
    private readonly cookies: SessionCookies,
    private readonly apiKeys: () => ApiKeys,
    private readonly revocations: SessionRevocations,
  ) {}

  open(principal: Principal): { token: string } {
    const sessionId = randomBytes(16).toString('base64url');
    return { token: this.cookies.sign({ sessionId, keyId: principal.keyId, expiresAt: Date.now() + TTL_MS }) };
  }

  /** The principal of a live session: signed under the current key, unexpired, its key in force, not signed out. */
  async principal(token: string): Promise<Principal | undefined> {
    const claims = this.cookies.verify(token, Date.now());
    if (!claims) return undefined;
    const principal = this.apiKeys().byKeyId(claims.keyId);
    if (!principal || (await this.revocations.isRevoked(claims.sessionId))) return undefined;
    return principal;
  }

  /** Ends the session on every replica; a cookie that is no live session has nothing to end. */
  async close(token: string): Promise<void> {
    const claims = this.cookies.verify(token, Date.now());
    if (claims) await this.revocations.revoke({ sessionId: claims.sessionId, expiresAt: claims.expiresAt });
  }
}

/** The session token in a Cookie header, if any. */
export function sessionToken(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
}
