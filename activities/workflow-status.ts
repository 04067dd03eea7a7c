import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { EndStuckInput, EndStuckOutcome } from '../domain/stuck';
import { readyWaitOf } from '../domain/ready-wait';

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
  /** Launches running for a billing code that have not made their server yet, and running clones' launches. */
  launchesCharging(code: string): Promise<string[]>;
}

/**
 * Whether a workflow task completed after the cancel was requested: the workflow recovered and is running its own
 * undo. The attempt count cannot tell, since every new event (the cancel request itself) starts it again at 1.
 */
async function completedTaskSinceCancel(client: Client, workflowId: string, runId: string): Promise<boolean> {
  let nextPageToken: Uint8Array | undefined;
  // Newest first; a stuck workflow writes few events (failed attempts after the first are not recorded).
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const response = await client.workflowService.getWorkflowExecutionHistoryReverse({
      namespace: client.options.namespace,
      execution: { workflowId, runId },
      maximumPageSize: 100,
      ...(nextPageToken ? { nextPageToken } : {}),
    });
    for (const event of response.history?.events ?? []) {
      if (event.workflowTaskCompletedEventAttributes) return true;
      if (event.workflowExecutionCancelRequestedEventAttributes) return false;
    }
    if (!response.nextPageToken?.length) return false;
    nextPageToken = response.nextPageToken;
  }
  return false;
}

/** Pages of history read back to the cancel request at most; past them the workflow is taken as still stuck. */
const MAX_HISTORY_PAGES = 5;

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
      const description = await client.workflow.getHandle(workflowId).describe();
      // A readiness wait does not fail while it waits: what it waits for is in its heartbeat.
      const waiting = (await readyWaitOf(client, description))?.waitingFor;
      if (waiting) return waiting;
      const { raw } = description;
      const failed = (raw.pendingActivities ?? []).filter((a) => a.lastFailure?.message);
      // The most recent failure among activities in flight side by side (a launch's disks).
      const latest = failed.sort(
        (a, b) => Number(b.lastAttemptCompleteTime?.seconds ?? 0) - Number(a.lastAttemptCompleteTime?.seconds ?? 0),
      )[0];
      return latest?.lastFailure?.message ?? undefined;
    },
    async launchesCharging(code) {
      const ids: string[] = [];
      // Billing codes are checked against the billing codes file (letters, digits, . _ -), so safe inside the quotes.
      const launches = `WorkflowType = 'launchServer' AND ExecutionStatus = 'Running' AND BillingCode = '${code}' AND ServerId IS NULL`;
      for await (const launch of client.workflow.list({ query: launches })) ids.push(launch.workflowId);
      // A running clone holds a temporary server, made by its child launch `launch-<clone id>`, from start to end.
      const clones = `WorkflowType = 'cloneTemplate' AND ExecutionStatus = 'Running' AND BillingCode = '${code}'`;
      for await (const clone of client.workflow.list({ query: clones })) ids.push(`launch-${clone.workflowId}`);
      return ids;
    },
    async endIfStuck({ workflowId, runId, reason }) {
      const handle = client.workflow.getHandle(workflowId, runId);
      try {
        const { status } = await handle.describe();
        if (status.name !== 'RUNNING') return 'closed';
        if (await completedTaskSinceCancel(client, workflowId, runId)) return 'recovered';
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
