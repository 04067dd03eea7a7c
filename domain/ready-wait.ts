import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import proto from '@temporalio/proto';

/**
 * What a readiness wait heartbeats (activities/ready-waits.ts): describe() shows it, for the codec to decode. Kept
 * small: every heartbeat rewrites the launch's mutable state on the Temporal server, 10,000 waits make 167 a second,
 * and with the launch's progress in each (about 3 KiB sealed) the dev server spent a core on them at 9,000 waits.
 */
export interface ReadyWaitDetails {
  /** Looks taken so far, over every attempt. */
  observations: number;
  /** The check that is not yet true. */
  waitingFor?: string;
}

/**
 * The readiness wait a described launch is in, decoded from its last heartbeat: undefined when it has none, or when
 * its cancel was requested (the launch has moved on: what the wait says is no longer the launch's).
 */
export async function readyWaitOf(
  client: Client,
  description: WorkflowExecutionDescription,
): Promise<ReadyWaitDetails | undefined> {
  const wait = description.raw.pendingActivities?.find(
    (activity) => activity.activityType?.name === 'checkReady' && activity.heartbeatDetails?.payloads?.length,
  );
  if (!wait || wait.state === proto.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED)
    return undefined;
  const details = await decodeFromPayloadsAtIndex<ReadyWaitDetails>(
    client.options.loadedDataConverter,
    0,
    wait.heartbeatDetails?.payloads,
  ).catch(() => undefined);
  return details && typeof details === 'object' ? details : undefined;
}

/**
 * The launch's progress as its readiness wait began: the input of the wait's activity, the last of its kind in the
 * history, so one short page of the history read backwards finds it. No worker is asked, so nothing is replayed.
 */
export async function readyWaitProgress(client: Client, workflowId: string, runId: string): Promise<unknown> {
  const { history } = await client.workflowService.getWorkflowExecutionHistoryReverse({
    namespace: client.options.namespace,
    execution: { workflowId, runId },
    maximumPageSize: 20,
  });
  const scheduled = history?.events?.find(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'checkReady',
  )?.activityTaskScheduledEventAttributes;
  if (!scheduled?.input?.payloads?.length) return undefined;
  const input = await decodeFromPayloadsAtIndex<{ progress?: unknown }>(
    client.options.loadedDataConverter,
    0,
    scheduled.input.payloads,
  ).catch(() => undefined);
  return input?.progress;
}
