import { ApplicationFailure } from '@temporalio/common';
import { isProviderError } from '../domain/cloud-errors';

/**
 * A provider's error as an activity failure, typed by its code: non-retryable where the cloud said so, and a
 * throttled call tried again no sooner than the cloud's Retry-After. Anything else passes through.
 */
export function toActivityFailure(err: unknown): unknown {
  // Cut before it is wrapped: the cause travels into history with its message too.
  if (err instanceof Error) err.message = brief(err.message);
  if (!isProviderError(err)) return err;
  if (!err.retryable)
    return ApplicationFailure.create({ message: err.message, type: err.code, nonRetryable: true, cause: err });
  if (err.retryAfter)
    return ApplicationFailure.create({
      message: err.message,
      type: err.code,
      nextRetryDelay: err.retryAfter * 1000,
      cause: err,
    });
  return err;
}

/**
 * Every activity with provider errors turned into activity failures in one place (toActivityFailure), so no
 * activity can let a non-retryable cloud error be retried by forgetting to wrap a call.
 */
export function withActivityFailures<T extends Record<string, (...args: never[]) => Promise<unknown>>>(
  activities: T,
): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await activity(...args);
      } catch (err) {
        throw toActivityFailure(err);
      }
    };
  }
  return wrapped as T;
}

/** The longest failure message kept: a cloud's error may quote what it was sent, and failures live in history and views. */
export const MAX_FAILURE_MESSAGE = 1000;

/** A message cut to MAX_FAILURE_MESSAGE characters, saying so. */
export function brief(message: string): string {
  return message.length <= MAX_FAILURE_MESSAGE
    ? message
    : `${message.slice(0, MAX_FAILURE_MESSAGE)}… (${message.length - MAX_FAILURE_MESSAGE} more characters)`;
}

/** Whether trying again cannot help: a failure marked non-retryable, or a cloud error the cloud calls final. */
export const isPermanent = (err: unknown): boolean =>
  (err instanceof ApplicationFailure && err.nonRetryable) || (isProviderError(err) && !err.retryable);

/**
 * Cleanup over several resources: one that fails does not stop the others. Afterwards any failure is thrown as a
 * retryable error, so the activity's retry policy tries the rest again (each step is idempotent).
 */
export async function forEachThenRetry<T>(items: T[], act: (item: T) => Promise<unknown>): Promise<void> {
  const failures: string[] = [];
  for (const item of items) {
    try {
      await act(item);
    } catch (err) {
      failures.push(err instanceof Error ? err.message : String(err));
    }
  }
  if (failures.length)
    throw new Error(`${failures.length} of ${items.length} could not be removed yet: ${failures.join('; ')}`);
}

/**
 * Tries a call again, backing off, while it meets a transient provider error (throttled, unavailable): in a long
 * list of removals one flaky call must not send the whole list round again. Other errors pass at once.
 */
export async function retryTransient<T>(call: () => Promise<T>, tries = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= tries || !isProviderError(err) || !err.retryable) throw err;
      const retryAfterMs = (err.retryAfter ?? 0) * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(retryAfterMs, Math.min(250 * 2 ** attempt, 4_000))));
    }
  }
}
