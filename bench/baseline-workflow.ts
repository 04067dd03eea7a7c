import { proxyActivities } from '@temporalio/workflow';

// The baseline: what Temporal alone costs for the same number of activities as a launch, each doing nothing.
const { noop } = proxyActivities<{ noop(step: number): Promise<number> }>({ startToCloseTimeout: '10 seconds' });

export async function bareWorkflow(activities: number): Promise<number> {
  for (let step = 0; step < activities; step++) await noop(step);
  return activities;
}
