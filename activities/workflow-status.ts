import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/** How the reaper learns whether the workflow that owns a resource is still around to look after it. */
export type OwnerState = 'running' | 'completed' | 'ended' | 'unknown';

export interface WorkflowStatus {
  of(workflowId: string): Promise<OwnerState>;
}

/** Asks Temporal: a closed workflow that did not complete "ended" (failed, cancelled, terminated, timed out). */
export function temporalWorkflowStatus(client: Client): WorkflowStatus {
  return {
    async of(workflowId) {
      try {
        const { status } = await client.workflow.getHandle(workflowId).describe();
        if (status.name === 'RUNNING' || status.name === 'CONTINUED_AS_NEW') return 'running';
        return status.name === 'COMPLETED' ? 'completed' : 'ended';
      } catch (err) {
        // Gone from Temporal (past its retention): nothing is known, so nothing is reaped for it (expiry still counts).
        if (err instanceof WorkflowNotFoundError) return 'unknown';
        throw err;
      }
    },
  };
}
