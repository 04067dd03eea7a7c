import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { MAX_FAILURE_MESSAGE, toActivityFailure } from '../../activities/provider-failure';
import { createActivities } from '../../activities';
import { ProviderError } from '../../domain/cloud-errors';
import { SimProvider } from '../../providers/sim/sim-provider';
import { testKeyStore } from '../support/temporal';

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

// Every activity's provider errors go through one wrapper when the activities are built: none can forget.
describe('activity failures in one place', () => {
  const deps = (capabilities: () => Promise<never>) => ({
    provider: Object.assign(new SimProvider({ timeScale: 0 }), { capabilities }),
    keys: testKeyStore(),
  });

  it('makes a cloud refusal non-retryable in an activity that calls the provider bare', async () => {
    const activities = createActivities(deps(() => Promise.reject(new ProviderError('NotFound', 'no such region'))));
    const failure = await activities.canDisableImages('sim-east-1').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'NotFound', nonRetryable: true, message: 'no such region' });
  });

  it('retries a throttled call no sooner than the cloud asked, and passes other errors through', async () => {
    const throttled = createActivities(
      deps(() => Promise.reject(new ProviderError('Throttled', 'slow down', { retryAfter: 7 }))),
    );
    expect(await throttled.canDisableImages('sim-east-1').catch((err: unknown) => err)).toMatchObject({
      type: 'Throttled',
      nonRetryable: false,
      nextRetryDelay: 7000,
    });
    const bug = new TypeError('a bug');
    const broken = createActivities(deps(() => Promise.reject(bug)));
    expect(await broken.canDisableImages('sim-east-1').catch((err: unknown) => err)).toBe(bug);
  });
});
