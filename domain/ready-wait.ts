import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import proto from '@temporalio/proto';

/** What a readiness wait heartbeats (activities/ready-waits.ts): describe() shows it, for the codec to decode. */
export interface ReadyWaitDetails {
  /** Looks taken so far, over every attempt. */
  observations: number;
  /** The check that is not yet true. */
  waitingFor?: string;
  /** The launch's progress as it began to wait (ReadinessInput.progress). */
  progress?: unknown;
}

/**
 * The readiness wait a described launch is in, decoded from its last heartbeat: undefined when it has none, or when
 * its cancel was requested (the launch has moved on, so the progress in it is no longer the launch's).
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
