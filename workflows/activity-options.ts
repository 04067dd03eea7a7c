import { ActivityCancellationType, type ActivityOptions } from '@temporalio/workflow';

// Named option sets; each activity call picks the one that fits how long it may take.

const backoff = { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' } as const;

/** A provider call or two: retried with backoff on throttling and outages, for at most five minutes. */
export const quickActivity = {
  startToCloseTimeout: '20 seconds',
  // On cancel, wait for a create in flight to finish: its cleanup must find what it made.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  scheduleToCloseTimeout: '5 minutes',
  retry: backoff,
} as const satisfies ActivityOptions;

/** A look that is worth little late (why a launch ran out of time): a few tries within half a minute. */
export const glanceActivity = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '30 seconds',
  retry: backoff,
} as const satisfies ActivityOptions;

/** A wait of seconds to minutes that heartbeats each observation: a dead worker is noticed within 20 seconds. */
export const waitActivity = {
  startToCloseTimeout: '15 minutes',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  heartbeatTimeout: '20 seconds',
  scheduleToCloseTimeout: '30 minutes',
  retry: backoff,
} as const satisfies ActivityOptions;

/** A step inside the guest: formatting a large array takes minutes; the heartbeat notices a dead worker in 30 seconds. */
export const guestActivity = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  scheduleToCloseTimeout: '30 minutes',
  retry: backoff,
} as const satisfies ActivityOptions;

/** Undoing a failed launch: retried patiently, because what it leaves behind costs money. */
export const undoActivity = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
} as const satisfies ActivityOptions;

/** A look over a region (the reaper's plan): many reads, no writes; it heartbeats, so a dead worker is noticed in 30 seconds. */
export const planActivity = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: backoff,
} as const satisfies ActivityOptions;

/**
 * Readiness: one activity for the whole wait, followed by the worker's ReadyWaits (async completion) and completed when
 * the server is ready. Between looks no worker slot is held and no task or history event goes through Temporal; the
 * wait heartbeats once a minute, so a dead worker is noticed within three and another takes the wait over. The retry
 * policy is for that, and for a worker of an older version that still checks once and fails "not yet".
 */
export function readinessActivity(readyTimeoutSeconds: number): ActivityOptions {
  return {
    startToCloseTimeout: `${readyTimeoutSeconds} seconds`,
    scheduleToCloseTimeout: `${readyTimeoutSeconds} seconds`,
    heartbeatTimeout: '3 minutes',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 1.5, maximumInterval: '30 seconds' },
  };
}

/** Waiting for a captured image: each attempt checks once; the retry policy polls until the capture's limit. */
export function imageWaitActivity(timeoutSeconds: number): ActivityOptions {
  return {
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: `${timeoutSeconds} seconds`,
    retry: { initialInterval: '2 seconds', backoffCoefficient: 1.5, maximumInterval: '30 seconds' },
  };
}

/** A stop or start waited for up to the caller's limit, observing the server each second (heartbeats every look). */
export function powerActivity(timeoutSeconds: number): ActivityOptions {
  return {
    startToCloseTimeout: `${timeoutSeconds} seconds`,
    scheduleToCloseTimeout: `${timeoutSeconds} seconds`,
    heartbeatTimeout: '20 seconds',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: backoff,
  };
}
