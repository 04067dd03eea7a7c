import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from '../../config/logger';
import {
  CONSOLE_SESSIONS_WORKFLOW,
  REVOKED_SESSIONS_QUERY,
  REVOKE_SESSION_SIGNAL,
  consoleSessionsWorkflowId,
  type RevokedSession,
} from '../../domain/console-sessions';
import type { consoleSessions } from '../../workflows/console-sessions';
import { publicText } from '../../domain/public-text';

/** How old this replica's copy of the sign-outs may be when a session is used: another's sign-out applies within it. */
const REFRESH_MS = 3_000;
/** A query that takes longer is given up, and the session checked against the copy read before. */
const QUERY_DEADLINE_MS = 2_000;

// The console sessions signed out before their expiry, as every API replica sees them: a sign-out signals the
// consoleSessions workflow (starting it if need be) and applies on this replica at once; the others query it when a
// session is used and their copy is older than REFRESH_MS. Temporal is the one store the replicas share.
export class SessionRevocations {
  /** Signed out here: in force at once, whatever a query read before the signal says. */
  private readonly here = new Map<string, number>();
  private queried = new Set<string>();
  private queriedAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly logger: Logger,
  ) {}

  private get workflowId(): string {
    return consoleSessionsWorkflowId(this.taskQueue);
  }

  async revoke(session: RevokedSession): Promise<void> {
    for (const [id, expiresAt] of this.here) if (expiresAt <= Date.now()) this.here.delete(id);
    this.here.set(session.sessionId, session.expiresAt);
    await this.client.workflow.signalWithStart<typeof consoleSessions, [RevokedSession]>(CONSOLE_SESSIONS_WORKFLOW, {
      workflowId: this.workflowId,
      taskQueue: this.taskQueue,
      args: [{ revoked: [] }],
      signal: REVOKE_SESSION_SIGNAL,
      signalArgs: [session],
      staticSummary: publicText('Console sessions signed out before their expiry, for every API replica'),
    });
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    if (this.here.has(sessionId)) return true;
    if (Date.now() - this.queriedAt >= REFRESH_MS) {
      // One query at a time: the requests that arrive meanwhile wait for it.
      this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
      await this.refreshing;
    }
    return this.queried.has(sessionId);
  }

  private async refresh(): Promise<void> {
    try {
      const handle = this.client.workflow.getHandle(this.workflowId);
      const revoked = await this.client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
        handle.query<RevokedSession[]>(REVOKED_SESSIONS_QUERY),
      );
      this.queried = new Set(revoked.map((session) => session.sessionId));
    } catch (err) {
      // No sign-out yet, or every one has expired and the workflow ended: nothing is revoked.
      if (err instanceof WorkflowNotFoundError) this.queried = new Set();
      else
        this.logger.warn(
          { err, workflowId: this.workflowId },
          'the console sessions signed out on other API replicas could not be read from Temporal; checking against the list read before',
        );
    }
    this.queriedAt = Date.now();
  }
}
