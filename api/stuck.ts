import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';

/** Failed attempts of a workflow task after which a running workflow counts as stuck: one is a hiccup, two a pattern. */
export const STUCK_AFTER_ATTEMPTS = 2;

export interface Stuck {
  /** The server's reason: the last workflow task failure's cause and message (payload too large, nondeterminism, a bug). */
  reason: string;
  attempt: number;
}

/**
 * A running workflow whose workflow task keeps failing cannot make progress, answer queries, or run its undo: it
 * shows as stuck, with the reason from its history's last WorkflowTaskFailed event.
 */
export async function stuckOf(client: Client, workflowId: string, description: WorkflowExecutionDescription): Promise<Stuck | undefined> {
  const attempt = description.raw.pendingWorkflowTask?.attempt ?? 0;
  if (description.status.name !== 'RUNNING' || attempt < STUCK_AFTER_ATTEMPTS) return undefined;
  const { history } = await client.workflowService.getWorkflowExecutionHistoryReverse({
    namespace: client.options.namespace,
    execution: { workflowId, runId: description.runId },
    maximumPageSize: 50,
  });
  const failed = history?.events?.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes;
  const cause = failed?.cause ? proto.temporal.api.enums.v1.WorkflowTaskFailedCause[failed.cause] : undefined;
  const message = failed?.failure?.message ?? 'no failure recorded yet';
  return { reason: `${cause ? `${cause}: ` : ''}${message}`.slice(0, 500), attempt };
}
