import { ActivityFailure, ApplicationFailure, TimeoutFailure, isCancellation } from '@temporalio/workflow';

/** The reason a person should read: the failure an activity raised on purpose, not the wrappers around it. */
export function reasonOf(err: unknown): { code: string; message: string } {
  let current: unknown = err;
  while (current instanceof Error) {
    if (current instanceof ApplicationFailure)
      return { code: current.type ?? 'LaunchFailed', message: current.message };
    if (!(current instanceof ActivityFailure || current instanceof TimeoutFailure) || !current.cause) break;
    current = current.cause;
  }
  if (isCancellation(err)) return { code: 'Cancelled', message: 'the launch was cancelled' };
  return { code: 'LaunchFailed', message: current instanceof Error ? current.message : String(current) };
}
