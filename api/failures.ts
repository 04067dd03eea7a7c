import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';

/** The root cause of a failed workflow, as `{code, message}` a person can act on; undefined if it did not fail. */
export async function failureOf(result: Promise<unknown>): Promise<{ code: string; message: string } | undefined> {
  try {
    await result;
    return undefined;
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    // The first ApplicationFailure down the chain is the one an activity or the workflow raised on purpose.
    let cause: Error | undefined = err.cause;
    while (cause && !(cause instanceof ApplicationFailure) && cause.cause instanceof Error) cause = cause.cause;
    const type = cause instanceof ApplicationFailure && cause.type ? cause.type : 'Failed';
    return { code: type, message: cause?.message ?? err.message };
  }
}
