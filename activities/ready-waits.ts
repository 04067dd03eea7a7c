import {
  ActivityCancelledError,
  ActivityNotFoundError,
  ActivityPausedError,
  ActivityResetError,
  type AsyncCompletionClient,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { isPermanent, toActivityFailure } from './provider-failure';
import { lookReady, type ReadinessInput } from './readiness';
import type { ActivityDeps } from './deps';
import type { ReadyWaitDetails } from '../domain/ready-wait';

export interface ReadyWaitTiming {
  /** The first look comes at once; then this long, growing by half each time up to maxIntervalMs. */
  firstIntervalMs: number;
  maxIntervalMs: number;
  /**
   * How often a wait tells Temporal it is still followed. Each heartbeat is a write on the Temporal server, so they
   * are sparse: the activity's heartbeat timeout (3 minutes, workflows/activity-options.ts) is three of them.
   */
  heartbeatEveryMs: number;
}

export const DEFAULT_READY_WAIT_TIMING: ReadyWaitTiming = {
  firstIntervalMs: 2_000,
  maxIntervalMs: 30_000,
  heartbeatEveryMs: 60_000,
};

type Completions = Pick<AsyncCompletionClient, 'complete' | 'fail' | 'heartbeat' | 'reportCancellation'>;

interface Wait {
  taskToken: Uint8Array;
  input: ReadinessInput;
  observations: number;
  waitingFor?: string;
  heartbeatAt: number;
  /** Set once the wait is over, for whatever reason: its loop ends at the next turn. */
  over: boolean;
  wake?: () => void;
}

/**
 * The readiness waits one worker follows, each completed asynchronously (Temporal's async activity completion):
 * checkReady hands its task token here and returns at once. Each wait looks at its server on its own schedule;
 * the looks meet in the StatusCoalescer, which reads them in batches. A worker that dies leaves its waits to the
 * heartbeat timeout, after which another worker takes each over; one that stops hands them back at once.
 */
export class ReadyWaits {
  private readonly waits = new Set<Wait>();
  private stopped = false;
  private readonly timing: ReadyWaitTiming;

  constructor(
    private readonly deps: Pick<ActivityDeps, 'provider' | 'guest' | 'statuses'> & {
      completions: Completions;
      timing?: Partial<ReadyWaitTiming>;
      /** Said when a wait could not be completed or handed back (Temporal unreachable); the heartbeat timeout will. */
      warn?: (message: string, err: unknown) => void;
      /** Told the number of waits followed whenever it changes (a gauge). */
      counted?: (waits: number) => void;
    },
  ) {
    this.timing = { ...DEFAULT_READY_WAIT_TIMING, ...deps.timing };
  }

  /** Waits followed now. */
  get size(): number {
    return this.waits.size;
  }

  /** Follows one server until it is ready, or can never be, or the activity is gone; returns at once. */
  follow(taskToken: Uint8Array, input: ReadinessInput, previous?: ReadyWaitDetails): void {
    if (this.stopped) {
      void this.handBack(taskToken);
      return;
    }
    // The progress rides in the activity's input for the API to read from history; the wait needs none of it.
    const wait: Wait = {
      taskToken,
      input: { ...input, progress: undefined },
      observations: previous?.observations ?? 0,
      heartbeatAt: 0,
      over: false,
    };
    this.waits.add(wait);
    this.deps.counted?.(this.waits.size);
    void this.run(wait).finally(() => {
      this.waits.delete(wait);
      this.deps.counted?.(this.waits.size);
    });
  }

  /** A stopping worker hands every wait back as a retryable failure: the retry policy gives it to another worker. */
  async stop(): Promise<void> {
    this.stopped = true;
    const waits = [...this.waits];
    for (const wait of waits) {
      wait.over = true;
      wait.wake?.();
    }
    await Promise.all(waits.map((wait) => this.handBack(wait.taskToken)));
  }

  private async run(wait: Wait): Promise<void> {
    let intervalMs = this.timing.firstIntervalMs;
    while (!wait.over) {
      try {
        const verdict = await lookReady(this.deps, wait.input);
        wait.observations++;
        if (wait.over) return;
        if (verdict.ready) {
          wait.over = true;
          await this.settle(wait, () => this.deps.completions.complete(wait.taskToken, { checks: verdict.checks }));
          return;
        }
        wait.waitingFor = verdict.waitingFor;
      } catch (err) {
        if (wait.over) return;
        if (isPermanent(err)) {
          wait.over = true;
          await this.settle(wait, () => this.deps.completions.fail(wait.taskToken, toActivityFailure(err)));
          return;
        }
        // Throttled, unavailable, a flaky guest: still waiting, and saying why.
        wait.waitingFor = `could not look at server ${wait.input.serverId}: ${(err as Error).message}`;
      }
      if (Date.now() - wait.heartbeatAt >= this.timing.heartbeatEveryMs) await this.heartbeat(wait);
      if (wait.over) return;
      // A tenth either way, so that waits begun together do not look together for ever.
      const delay = intervalMs * (0.9 + Math.random() * 0.2);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wait.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      intervalMs = Math.min(intervalMs * 1.5, this.timing.maxIntervalMs);
    }
  }

  private async heartbeat(wait: Wait): Promise<void> {
    const details: ReadyWaitDetails = {
      observations: wait.observations,
      ...(wait.waitingFor ? { waitingFor: wait.waitingFor } : {}),
    };
    try {
      await this.deps.completions.heartbeat(wait.taskToken, details);
      wait.heartbeatAt = Date.now();
    } catch (err) {
      if (err instanceof ActivityCancelledError) {
        // The launch was cancelled (or ran out of time): its workflow has moved on to undo what it made.
        wait.over = true;
        await this.settle(wait, () => this.deps.completions.reportCancellation(wait.taskToken));
      } else if (
        err instanceof ActivityNotFoundError ||
        err instanceof ActivityResetError ||
        err instanceof ActivityPausedError
      ) {
        // Closed, timed out, or taken back by an operator: nothing to follow; a new attempt comes with a new token.
        wait.over = true;
      } else {
        this.deps.warn?.(`readiness of server ${wait.input.serverId}: heartbeat failed; trying again`, err);
      }
    }
  }

  /** Completes, fails or cancels the activity; one already closed is fine, and Temporal being away is left to the timeout. */
  private async settle(wait: Wait, report: () => Promise<void>): Promise<void> {
    await report().catch((err: unknown) => {
      if (!(err instanceof ActivityNotFoundError))
        this.deps.warn?.(`readiness of server ${wait.input.serverId}: could not report the outcome`, err);
    });
  }

  private async handBack(taskToken: Uint8Array): Promise<void> {
    const failure = ApplicationFailure.retryable(
      'the worker following this readiness wait stopped; another worker takes it over',
      'WorkerStopping',
    );
    await this.deps.completions.fail(taskToken, failure).catch((err: unknown) => {
      if (!(err instanceof ActivityNotFoundError)) this.deps.warn?.('could not hand a readiness wait back', err);
    });
  }
}
