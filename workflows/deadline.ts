import { CancellationScope, sleep } from '@temporalio/workflow';

/**
 * Runs `work` until `deadline` (workflow time, in ms). Out of time first, `explain` is asked why while the work still
 * runs (so what it waits on is still pending and can be read), then the work is cancelled and awaited, and the
 * failure `explain` made is thrown. Work that settles meanwhile, or in the same activation as the timer, wins.
 */
export async function withinDeadline<T>(
  deadline: number,
  work: () => Promise<T>,
  explain: () => Promise<Error>,
): Promise<T> {
  const workScope = new CancellationScope();
  const timerScope = new CancellationScope();
  let settled = false;
  const working = workScope.run(work).finally(() => (settled = true));
  const expired = timerScope
    .run(() => sleep(Math.max(deadline - Date.now(), 1)))
    .then(
      () => true,
      () => false,
    );
  const outOfTime = await Promise.race([
    working.then(
      () => false,
      () => false,
    ),
    expired,
  ]);
  if (!outOfTime || settled) {
    timerScope.cancel();
    return working;
  }
  const failure = await explain();
  if (settled) return working;
  workScope.cancel();
  await working.catch(() => undefined);
  throw failure;
}
