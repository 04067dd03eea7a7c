import { ApplicationFailure } from '@temporalio/common';
import type { EndStuckInput, EndStuckOutcome } from '../domain/stuck';
import type { ActivityDeps } from './deps';

// Activities that ask Temporal about a workflow, through the worker's client (ActivityDeps.workflows).

/** Why a launch out of time was still waiting; nothing is known without a client to ask Temporal. */
export async function lastFailingCheck({ workflows }: ActivityDeps, workflowId: string): Promise<string | undefined> {
  return workflows ? workflows.lastFailure(workflowId) : undefined;
}

/** Ends a stuck workflow whose cancel's grace period is over; without a client to Temporal it cannot, and says so. */
export async function endIfStuck(
  { workflows }: ActivityDeps,
  input: Omit<EndStuckInput, 'graceSeconds'>,
): Promise<EndStuckOutcome> {
  if (!workflows)
    throw ApplicationFailure.nonRetryable(
      'this worker has no Temporal client to end a stuck workflow with',
      'NoTemporalClient',
    );
  return workflows.endIfStuck(input);
}
