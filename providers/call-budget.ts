import { ProviderError, isProviderError } from '../domain/cloud-errors';
import type { CloudProvider } from './cloud-provider';

// A worker's budget of calls to the cloud's API, per region (one worker serves one account). EC2 meters non-mutating
// calls per account with a token bucket (100 calls, refilled at 20 a second) and answers RequestLimitExceeded past
// it, to this service and to every other tool of the account: the worker keeps its reads inside the same shape, and
// slows down further when the cloud throttles its reads anyway (other tools, other workers). Writes are metered by
// EC2 in buckets of their own, per action; they are counted here, and a throttled one is retried by its activity.

export interface CallBudgetLimits {
  /** Reads a second per region, refilled; 0 turns the budget off. */
  ratePerSecond: number;
  /** Reads that may go at once after a quiet spell. */
  burst: number;
  /** Longest a read waits for a token; past it the call is refused as Throttled, for the activity to retry later. */
  maxWaitMs?: number;
}

/** EC2's documented bucket for non-mutating actions: 100 tokens, 20 a second. */
export const EC2_READ_BUDGET: CallBudgetLimits = { ratePerSecond: 20, burst: 100, maxWaitMs: 5_000 };

/** What the budget reports (the worker exports it at WORKER_METRICS_ADDRESS); it must not throw. */
export interface CallBudgetMetrics {
  call(action: string, outcome: string): void;
  throttled(region: string, action: string): void;
  level(region: string, tokens: number, ratePerSecond: number): void;
}

/** Whether each call reads (budgeted) or changes something; a new provider call must be put in one column. */
export const CALL_KINDS: Record<
  Exclude<keyof CloudProvider, 'name' | 'statusBatchLimit' | 'readBudget'>,
  'read' | 'write'
> = {
  capabilities: 'read',
  listRegions: 'read',
  listZones: 'read',
  listImages: 'read',
  searchPublicImages: 'read',
  getImage: 'read',
  captureImage: 'write',
  updateImage: 'write',
  deprecateImage: 'write',
  disableImage: 'write',
  enableImage: 'write',
  deregisterImage: 'write',
  listImageShares: 'read',
  shareImage: 'write',
  unshareImage: 'write',
  listSharedImages: 'read',
  listProducts: 'read',
  launchServer: 'write',
  getServer: 'read',
  listServers: 'read',
  stopServer: 'write',
  startServer: 'write',
  rebootServer: 'write',
  terminateServer: 'write',
  statusChecks: 'read',
  serverStatuses: 'read',
  createKeypair: 'write',
  importKeypair: 'write',
  listKeypairs: 'read',
  deleteKeypair: 'write',
  createFirewall: 'write',
  authorize: 'write',
  revoke: 'write',
  listFirewalls: 'read',
  deleteFirewall: 'write',
  createVolume: 'write',
  attachVolume: 'write',
  detachVolume: 'write',
  deleteVolume: 'write',
  getVolume: 'read',
  listVolumes: 'read',
};

/**
 * A token bucket whose rate halves when the cloud throttles (down to a tenth of the limit) and climbs back by a
 * twentieth of the limit each second: additive increase, multiplicative decrease, as TCP does with a congested link.
 * Tokens may go into debt: each taker waits for its own token, in the order they came.
 */
export class TokenBucket {
  private tokens: number;
  private rate: number;
  private updatedAt: number;
  private cutAt = -Infinity;

  constructor(
    private readonly limits: CallBudgetLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = limits.burst;
    this.rate = limits.ratePerSecond;
    this.updatedAt = now();
  }

  /** Tokens now (negative: owed to callers already waiting) and the rate in force. */
  level(): { tokens: number; ratePerSecond: number } {
    this.refill();
    return { tokens: this.tokens, ratePerSecond: this.rate };
  }

  /** Milliseconds to wait for a token, which is taken; or undefined (nothing taken) when that is past maxWaitMs. */
  reserve(): number | undefined {
    this.refill();
    const waitMs = this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.rate) * 1000;
    if (waitMs > (this.limits.maxWaitMs ?? Infinity)) return undefined;
    this.tokens -= 1;
    return waitMs;
  }

  /**
   * The cloud throttled a read: halve the rate, and spend what is left so the next reads wait. Once a second at most:
   * the answers to one crowded moment arrive together, and are one signal.
   */
  throttled(): void {
    this.refill();
    if (this.updatedAt - this.cutAt < 1_000) return;
    this.cutAt = this.updatedAt;
    this.rate = Math.max(this.rate / 2, this.limits.ratePerSecond / 10);
    this.tokens = Math.min(this.tokens, 0);
  }

  private refill(): void {
    const now = this.now();
    const seconds = (now - this.updatedAt) / 1000;
    this.updatedAt = now;
    this.tokens = Math.min(this.limits.burst, this.tokens + seconds * this.rate);
    this.rate = Math.min(this.limits.ratePerSecond, this.rate + (seconds * this.limits.ratePerSecond) / 20);
  }
}

/** The budget of one worker: a bucket per region for reads; every call counted by action and outcome. */
export class CallBudget {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limits: CallBudgetLimits = EC2_READ_BUDGET,
    private readonly metrics?: CallBudgetMetrics,
  ) {}

  async run<T>(action: string, region: string, call: () => Promise<T>): Promise<T> {
    const bucket = CALL_KINDS[action as keyof typeof CALL_KINDS] === 'read' ? this.bucket(region) : undefined;
    if (bucket) {
      const waitMs = bucket.reserve();
      this.report(region, bucket);
      if (waitMs === undefined) {
        this.metrics?.call(action, 'Budget');
        const retryAfter = Math.ceil((this.limits.maxWaitMs ?? 1000) / 1000);
        throw new ProviderError(
          'Throttled',
          `this worker's budget of ${this.limits.ratePerSecond} reads a second in ${region} is spent (CLOUD_CALL_RATE); ${action} will be tried again`,
          { retryAfter },
        );
      }
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
    try {
      const result = await call();
      this.metrics?.call(action, 'ok');
      return result;
    } catch (err) {
      const code = isProviderError(err) ? err.code : 'Error';
      this.metrics?.call(action, code);
      if (code === 'Throttled') {
        this.metrics?.throttled(region, action);
        // EC2 meters writes in buckets of their own: a throttled write is retried by its activity, and slows no read.
        if (bucket) {
          bucket.throttled();
          this.report(region, bucket);
        }
      }
      throw err;
    }
  }

  private bucket(region: string): TokenBucket | undefined {
    if (this.limits.ratePerSecond <= 0) return undefined;
    let bucket = this.buckets.get(region);
    if (!bucket) this.buckets.set(region, (bucket = new TokenBucket(this.limits)));
    return bucket;
  }

  private report(region: string, bucket: TokenBucket): void {
    const { tokens, ratePerSecond } = bucket.level();
    this.metrics?.level(region, tokens, ratePerSecond);
  }
}

/** The provider with every call of the CloudProvider interface run through the budget; anything else as it was. */
export function withCallBudget(provider: CloudProvider, budget: CallBudget): CloudProvider {
  return new Proxy(provider, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== 'string' || !(key in CALL_KINDS) || typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        budget.run(key, typeof args[0] === 'string' ? args[0] : '', () =>
          (value as (...a: unknown[]) => Promise<unknown>).apply(target, args),
        );
    },
  });
}
