import { ApplicationFailure } from '@temporalio/common';
import { isProviderError } from '../providers/errors';

/** Turns a provider's non-retryable error into a non-retryable ApplicationFailure (typed by its code); the rest pass through. */
export function toActivityFailure(err: unknown): unknown {
  if (isProviderError(err) && !err.retryable) {
    return ApplicationFailure.create({ message: err.message, type: err.code, nonRetryable: true, cause: err });
  }
  return err;
}

export async function callProvider<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toActivityFailure(err);
  }
}
