import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { EndStuckInput, EndStuckOutcome } from '../domain/stuck';
import { quickActivity } from './activity-options';

const quick = proxyActivities<Activities>(quickActivity);

/**
 * A cancel of a stuck workflow is recorded at once, so a build that fixes it can still run its own undo. Should it
 * still be stuck when the grace period is over, this terminates it, and the reaper collects what it made.
 */
export async function endStuck(input: EndStuckInput): Promise<EndStuckOutcome> {
  await sleep(input.graceSeconds * 1000);
  return quick.endIfStuck({ workflowId: input.workflowId, runId: input.runId, reason: input.reason });
}
