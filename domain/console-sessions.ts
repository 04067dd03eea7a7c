// Console sessions (the browser cookie the Temporal Web UI's codec calls ride on) are signed cookies any API replica
// can check; what no cookie can say is that it was signed out. The consoleSessions workflow holds that for every
// replica: the ids of sessions signed out before their expiry, each until that expiry.

/** A session signed out before its expiry; forgotten once the expiry has passed (the cookie is refused anyway). */
export interface RevokedSession {
  sessionId: string;
  /** Epoch milliseconds: the session's own expiry. */
  expiresAt: number;
}

export interface ConsoleSessionsInput {
  /** Carried over by continue-as-new. */
  revoked: RevokedSession[];
  /** History events past which it continues as new: 2,000 unless a test wants to see it sooner. */
  maxHistoryEvents?: number;
}

export const CONSOLE_SESSIONS_WORKFLOW = 'consoleSessions';
export const REVOKE_SESSION_SIGNAL = 'revokeSession';
export const REVOKED_SESSIONS_QUERY = 'revokedSessions';

/**
 * One per task queue: a namespace may hold other deployments of the service (staging beside production), whose
 * replicas sign with other keys and run other workers.
 */
export const consoleSessionsWorkflowId = (taskQueue: string): string => `console-sessions-${taskQueue}`;

/** Sign-outs remembered at once at most: about 60 bytes each, so the list stays far below a payload's 2 MiB limit. */
export const MAX_REVOKED_SESSIONS = 10_000;
