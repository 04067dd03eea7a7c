import { randomBytes } from 'node:crypto';
import type { Principal } from '../../domain/access';

export const SESSION_COOKIE = 'mi_session';
const TTL_MS = 12 * 60 * 60 * 1000;
const MAX_SESSIONS = 10_000;

// Browser sessions for what a browser cannot send a bearer key to: the Temporal Web UI's calls to the codec endpoint
// (it sends cookies once "include cross-origin credentials" is ticked). The console opens one at sign-in. Sessions
// live in this process's memory: a restart, or another API replica, asks the browser to sign in again.
export class BrowserSessions {
  private readonly sessions = new Map<string, { principal: Principal; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  open(principal: Principal): { token: string } {
    this.forgetExpired();
    // The oldest goes first when full: a Map iterates in insertion order.
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const token = randomBytes(32).toString('base64url');
    this.sessions.set(token, { principal, expires: this.now() + TTL_MS });
    return { token };
  }

  principal(token: string): Principal | undefined {
    const session = this.sessions.get(token);
    if (!session) return undefined;
    if (session.expires > this.now()) return session.principal;
    this.sessions.delete(token);
    return undefined;
  }

  close(token: string): void {
    this.sessions.delete(token);
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [token, session] of this.sessions) if (session.expires <= now) this.sessions.delete(token);
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
