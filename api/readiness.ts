import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

// A worker long-polls for about a minute; a poller seen more recently than this is alive.
const POLLER_FRESH_MS = 90_000;

/** Whether Temporal saw this poller recently enough to count it alive (/v1/ready and /metrics judge alike). */
export const isFreshPoller = (poller: { lastAccessTime?: { seconds?: unknown } | null }): boolean =>
  Date.now() - Number(poller.lastAccessTime?.seconds ?? 0) * 1000 < POLLER_FRESH_MS;

export interface Readiness {
  ready: boolean;
  checks: { temporal: 'ok' | 'unreachable'; worker: 'ok' | 'absent' | 'unknown' };
  message: string;
}

/** Temporal reachable, and a worker polling both the workflow and the activity side of the task queue. */
export async function checkReadiness(client: Client, namespace: string, taskQueue: string): Promise<Readiness> {
  const deadline = () => Date.now() + 3_000;
  try {
    await client.connection.withDeadline(deadline(), () => client.workflowService.getSystemInfo({}));
  } catch (err) {
    return {
      ready: false,
      checks: { temporal: 'unreachable', worker: 'unknown' },
      message: `Temporal is not reachable (${(err as Error).message}); check TEMPORAL_ADDRESS and that the server is up`,
    };
  }
  const { TaskQueueType } = proto.temporal.api.enums.v1;
  const types = [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY];
  let polled: boolean[];
  try {
    polled = await Promise.all(
      types.map(async (taskQueueType) => {
        const answer = await client.connection.withDeadline(deadline(), () =>
          client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType }),
        );
        return (answer.pollers ?? []).some(isFreshPoller);
      }),
    );
  } catch (err) {
    return {
      ready: false,
      checks: { temporal: 'ok', worker: 'unknown' },
      message: `Temporal could not describe task queue "${taskQueue}" in namespace "${namespace}" (${(err as Error).message}); check TEMPORAL_NAMESPACE`,
    };
  }
  if (polled.every(Boolean)) return { ready: true, checks: { temporal: 'ok', worker: 'ok' }, message: 'ready' };
  return {
    ready: false,
    checks: { temporal: 'ok', worker: 'absent' },
    message: `no worker is polling task queue "${taskQueue}" in namespace "${namespace}"; start one with npm run worker`,
  };
}
