import { CancellationScope, isCancellation, sleep, workflowInfo } from '@temporalio/workflow';

/** Seconds after its start during which this launch's workflow tasks fail, as a bug would until a fix is deployed. */
export const BROKEN_FOR_SECONDS = 5;

// A launch workflow whose build is broken for its first seconds and then "fixed": its workflow tasks fail (it is
// stuck) until then, and afterwards it runs. Cancelled, it takes a while to undo what it made, as a real one does.
export async function launchServer(): Promise<string> {
  if (Date.now() < workflowInfo().startTime.getTime() + BROKEN_FOR_SECONDS * 1000)
    throw new Error('a bug in this build: launchServer cannot run yet');
  try {
    await sleep('1 hour');
    return 'ready';
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Its undo, past the cancel's grace period: the end-stuck workflow must leave it to finish.
    await CancellationScope.nonCancellable(() => sleep('20 seconds'));
    throw err;
  }
}

export { endStuck } from '../../workflows/end-stuck';
