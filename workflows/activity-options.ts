import type { ActivityOptions } from '@temporalio/workflow';

// Named option sets; each activity call picks the one that fits how long it may take.

/** A provider call or two: retried with backoff on throttling and outages, for at most five minutes. */
export const quickActivity = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
} as const satisfies ActivityOptions;
