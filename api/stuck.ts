import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import { STUCK_AFTER_ATTEMPTS, endStuckWorkflowId, type EndStuckInput } from '../domain/stuck';
import type { endStuck } from '../workflows/end-stuck';
import { ApiError } from './errors';

/** Temporal's system search attribute for workflows whose workflow tasks keep failing or timing out. */
const REPORTED_PROBLEMS = 'TemporalReportedProblems';

export interface Stuck {
  /** The server's reason: the last workflow task failure's cause and message (payload too large, nondeterminism, a bug). */
  reason: string;
  attempt: number;
}

/**
 * A running workflow whose workflow task keeps failing cannot make progress, answer queries, or run its undo: it
 * shows as stuck, with the reason from its history's last WorkflowTaskFailed event.
 */
export async function stuckOf(
  client: Client,
  workflowId: string,
  description: WorkflowExecutionDescription,
): Promise<Stuck | undefined> {
  const attempt = description.raw.pendingWorkflowTask?.attempt ?? 0;
  if (description.status.name !== 'RUNNING') return undefined;
  // The attempt count starts again at 1 whenever an event arrives (a cancel request, a timer); Temporal's own mark
  // stays until a workflow task succeeds.
  if (attempt < STUCK_AFTER_ATTEMPTS && !reportsProblems(description)) return undefined;
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

/** Whether Temporal marks the workflow with TemporalReportedProblems (after consecutive workflow task failures). */
export function reportsProblems(description: WorkflowExecutionDescription): boolean {
  const payload = description.raw.workflowExecutionInfo?.searchAttributes?.indexedFields?.[REPORTED_PROBLEMS];
  if (!payload?.data?.length) return false;
  try {
    const value: unknown = JSON.parse(Buffer.from(payload.data).toString('utf8'));
    return Array.isArray(value) ? value.length > 0 : Boolean(value);
  } catch {
    return false;
  }
}

/**
 * Cancels a stuck workflow the only way that can still end it: the cancel is recorded (a build that fixes the
 * workflow runs its undo for it), and a small workflow terminates it if it is still stuck after the grace period.
 * Answers when that will be. A grace period of 0 terminates at once.
 */
export async function cancelStuck(
  client: Client,
  taskQueue: string,
  description: WorkflowExecutionDescription,
  stuck: Stuck,
  graceSeconds: number,
): Promise<{ status: 'cancelling' | 'terminated'; terminateAfter?: string }> {
  const { workflowId, runId } = description;
  const handle = client.workflow.getHandle(workflowId, runId);
  const reason = `cancelled while stuck (${stuck.reason.slice(0, 200)}); the reaper removes what it made`;
  // It may close between the look and this (its end-stuck timer fired): that is a 409, as for any closed launch.
  const closed = (err: unknown) => {
    if (err instanceof WorkflowNotFoundError)
      throw new ApiError(409, 'launch_closed', `launch ${workflowId} has just closed; there is nothing to cancel`);
    throw err;
  };
  if (graceSeconds === 0) {
    await handle.terminate(reason).catch(closed);
    return { status: 'terminated' };
  }
  await handle.cancel().catch(closed);
  const input: EndStuckInput = { workflowId, runId, graceSeconds, reason };
  // One per stuck run: a second cancel finds the first's timer and answers with the time it was started with
  // (its memo), whatever this replica's grace period.
  const ender = await client.workflow.start<typeof endStuck>('endStuck', {
    workflowId: endStuckWorkflowId(workflowId),
    taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    memo: { terminateAfter: new Date(Date.now() + graceSeconds * 1000).toISOString() },
  });
  const { memo } = await ender.describe();
  return {
    status: 'cancelling',
    ...(typeof memo?.terminateAfter === 'string' ? { terminateAfter: memo.terminateAfter } : {}),
  };
}
