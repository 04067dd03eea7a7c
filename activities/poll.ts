import { Context } from '@temporalio/activity';

/**
 * Polls `read` until `settled` says done, heartbeating each observation so a stalled worker is noticed within
 * the heartbeat timeout and the next attempt (on any worker) starts from the cloud's state, which is re-read.
 * Cancellation arrives through the heartbeat and ends the wait.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  settled: (value: T) => boolean,
  intervalMs = 1000,
): Promise<T> {
  const context = Context.current();
  const previous = (context.info.heartbeatDetails as { observations?: number } | undefined)?.observations ?? 0;
  for (let observations = previous + 1; ; observations++) {
    const value = await read();
    context.heartbeat({ observations, last: value });
    if (settled(value)) return value;
    await context.sleep(intervalMs);
  }
}
