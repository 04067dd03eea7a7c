import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { STUCK_AFTER_ATTEMPTS, type EndStuckInput, type EndStuckOutcome } from '../domain/stuck';

/** How the reaper learns whether the workflow that owns a resource is still around to look after it. */
export type OwnerState = 'running' | 'completed' | 'ended' | 'unknown';

export interface Owner {
  state: OwnerState;
  /** Temporal's status, lower case: running, completed, failed, cancelled, terminated, timed_out. */
  status?: string;
  closedAt?: string;
}

export interface WorkflowStatus {
  of(workflowId: string): Promise<Owner>;
  /** The last failure of the workflow's pending activities (the check that last failed), as the Web UI shows it. */
  lastFailure(workflowId: string): Promise<string | undefined>;
  /** Terminates a run that is still stuck; one that recovered is left to finish its own cancel. */
  endIfStuck(input: Omit<EndStuckInput, 'graceSeconds'>): Promise<EndStuckOutcome>;
}

/** Asks Temporal: a closed workflow that did not complete "ended" (failed, cancelled, terminated, timed out). */
export function temporalWorkflowStatus(client: Client): WorkflowStatus {
  return {
    async of(workflowId) {
      try {
        const { status, closeTime } = await client.workflow.getHandle(workflowId).describe();
        const closed = closeTime ? { closedAt: closeTime.toISOString() } : {};
        const name = status.name.toLowerCase();
        if (status.name === 'RUNNING' || status.name === 'CONTINUED_AS_NEW') return { state: 'running', status: name };
        return { state: status.name === 'COMPLETED' ? 'completed' : 'ended', status: name, ...closed };
      } catch (err) {
        // Gone from Temporal (past its retention): nothing is known, so nothing is reaped for it (expiry still counts).
        if (err instanceof WorkflowNotFoundError) return { state: 'unknown' };
        throw err;
      }
    },
    async lastFailure(workflowId) {
      const { raw } = await client.workflow.getHandle(workflowId).describe();
      const failed = (raw.pendingActivities ?? []).filter((a) => a.lastFailure?.message);
      // The most recent failure among activities in flight side by side (a launch's disks).
      const latest = failed.sort((a, b) => Number(b.lastAttemptCompleteTime?.seconds ?? 0) - Number(a.lastAttemptCompleteTime?.seconds ?? 0))[0];
      return latest?.lastFailure?.message ?? undefined;
    },
    async endIfStuck({ workflowId, runId, reason }) {
      const handle = client.workflow.getHandle(workflowId, runId);
      try {
        const { status, raw } = await handle.describe();
        if (status.name !== 'RUNNING') return 'closed';
        if ((raw.pendingWorkflowTask?.attempt ?? 0) < STUCK_AFTER_ATTEMPTS) return 'recovered';
        await handle.terminate(reason);
        return 'terminated';
      } catch (err) {
        // Closed (and perhaps gone past retention) between the look and the terminate: nothing left to end.
        if (err instanceof WorkflowNotFoundError) return 'closed';
        throw err;
      }
    },
  };
}
