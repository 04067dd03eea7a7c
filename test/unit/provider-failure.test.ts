import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { MAX_FAILURE_MESSAGE, toActivityFailure } from '../../activities/provider-failure';
import { ProviderError } from '../../providers/errors';

describe('failures stay small', () => {
  it('cuts a cloud error that quotes a large input, in the failure and in its cause', () => {
    const quoted = `tag value ${'v'.repeat(200_000)} is not valid`;
    const failure = toActivityFailure(new ProviderError('InvalidInput', quoted));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    const { message, cause, nonRetryable } = failure as ApplicationFailure;
    expect(nonRetryable).toBe(true);
    expect(message.length).toBeLessThan(MAX_FAILURE_MESSAGE + 40);
    expect(message).toMatch(/^tag value v+… \(199\d{3} more characters\)$/);
    expect((cause as Error).message).toBe(message);
  });

  it('leaves a short message as it is, and a retryable error retryable', () => {
    const throttled = new ProviderError('Throttled', 'slow down');
    expect(toActivityFailure(throttled)).toBe(throttled);
    expect(throttled.message).toBe('slow down');
  });
});
