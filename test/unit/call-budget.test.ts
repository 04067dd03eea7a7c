import { describe, expect, it } from 'vitest';
import { isProviderError } from '../../domain/cloud-errors';
import { CallBudget, TokenBucket, withCallBudget } from '../../providers/call-budget';
import { SimProvider } from '../../providers/sim/sim-provider';

const region = 'sim-east-1';

/** What the budget reported, as the worker's meter would have exported it. */
function recorder() {
  const calls = new Map<string, number>();
  const throttles: string[] = [];
  const levels: { tokens: number; ratePerSecond: number }[] = [];
  return {
    calls,
    throttles,
    levels,
    metrics: {
      call: (action: string, outcome: string) =>
        calls.set(`${action} ${outcome}`, (calls.get(`${action} ${outcome}`) ?? 0) + 1),
      throttled: (_region: string, action: string) => throttles.push(action),
      level: (_region: string, tokens: number, ratePerSecond: number) => levels.push({ tokens, ratePerSecond }),
    },
  };
}

describe('the call budget', () => {
  it('lets a burst through at once, then one token per 1/rate; past maxWaitMs it refuses without taking one', () => {
    let now = 0;
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 3, maxWaitMs: 1_000 }, () => now);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
    expect(bucket.reserve()).toBe(500);
    expect(bucket.reserve()).toBe(1_000);
    expect(bucket.reserve()).toBeUndefined();
    expect(bucket.level().tokens).toBe(-2);
    now += 2_000; // 4 tokens: the debt of 2 paid, 2 left
    expect(bucket.level().tokens).toBe(2);
    now += 10_000;
    expect(bucket.level().tokens).toBe(3);
  });

  it('halves its rate on throttling, down to a tenth, and climbs back by a twentieth of the limit a second', () => {
    let now = 0;
    const bucket = new TokenBucket({ ratePerSecond: 20, burst: 100 }, () => now);
    bucket.throttled();
    expect(bucket.level()).toEqual({ tokens: 0, ratePerSecond: 10 });
    // The answers to one crowded moment are one signal: a second throttle within the second does not cut again.
    bucket.throttled();
    expect(bucket.level().ratePerSecond).toBe(10);
    for (let i = 0; i < 5; i++) {
      now += 1_000;
      bucket.throttled();
    }
    expect(bucket.level().ratePerSecond).toBe(2);
    now += 1_000;
    expect(bucket.level().ratePerSecond).toBe(3);
    now += 60_000;
    expect(bucket.level().ratePerSecond).toBe(20);
  });

  it('budgets reads per region and counts every call by action and outcome; writes are not held back', async () => {
    const sim = new SimProvider({ timeScale: 0 });
    const seen = recorder();
    const provider = withCallBudget(sim, new CallBudget({ ratePerSecond: 5, burst: 2, maxWaitMs: 250 }, seen.metrics));
    await provider.getImage(region, 'img-simeast1-0003');
    await provider.listZones(region);
    // The third read waits 200 ms for its token; the fourth would wait 400 ms and is refused as Throttled.
    const third = provider.listProducts(region);
    const fourth = provider.listProducts(region).catch((err: unknown) => err);
    await third;
    const refused = await fourth;
    expect(isProviderError(refused) && refused.code).toBe('Throttled');
    expect(isProviderError(refused) && refused.retryAfter).toBeGreaterThan(0);
    expect((refused as Error).message).toContain('CLOUD_CALL_RATE');
    // Writes go at once even with the reads' bucket spent; other regions have buckets of their own.
    const server = await provider.launchServer(region, {
      imageId: 'img-simeast1-0003',
      productId: 'm1.small',
      name: 'budgeted',
      clientToken: 'budgeted',
    });
    await provider.listZones('sim-west-1');
    expect(Object.fromEntries(seen.calls)).toEqual({
      'getImage ok': 1,
      'listZones ok': 2,
      'listProducts ok': 1,
      'listProducts Budget': 1,
      'launchServer ok': 1,
    });
    expect(server.name).toBe('budgeted');
    // Not a CloudProvider call: passed through as it is (synchronous, unbudgeted).
    expect(typeof (provider as SimProvider).guestChecks(region, server.id)).toBe('string');
  });

  it('slows reads when the cloud throttles a read, not when it throttles a write, and counts both', async () => {
    const sim = new SimProvider({
      timeScale: 0,
      faults: {
        rates: {},
        scripted: [
          { operation: 'createKeypair', code: 'Throttled' },
          { operation: 'serverStatuses', code: 'Throttled' },
        ],
      },
    });
    const seen = recorder();
    const provider = withCallBudget(sim, new CallBudget({ ratePerSecond: 20, burst: 100 }, seen.metrics));
    await expect(provider.createKeypair(region, 'throttled')).rejects.toMatchObject({ code: 'Throttled' });
    expect(seen.levels).toEqual([]); // no read bucket was touched
    await expect(provider.serverStatuses(region, ['i-0'])).rejects.toMatchObject({ code: 'Throttled' });
    expect(seen.throttles).toEqual(['createKeypair', 'serverStatuses']);
    expect(seen.calls.get('createKeypair Throttled')).toBe(1);
    const level = seen.levels.at(-1)!;
    expect(level.tokens).toBeCloseTo(0, 2);
    expect(level.ratePerSecond).toBeCloseTo(10, 2);
  });
});
