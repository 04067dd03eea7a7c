import { Context } from '@temporalio/activity';
import { ApplicationFailure, CompleteAsyncError } from '@temporalio/common';
import type { ServerStatus } from '../domain/server';
import { retryTransient } from './provider-failure';
import type { ActivityDeps } from './deps';
import type { ReadyWaitDetails } from '../domain/ready-wait';

export interface ReadinessInput {
  region: string;
  serverId: string;
  host?: string;
  volumeIds: string[];
  mountPoint?: string;
  /**
   * Wait until ready in this one activity (launches from the ready-waits version on), followed by the worker's
   * ReadyWaits and completed asynchronously; without it (launches begun before), check once and fail "not yet".
   */
  wait?: boolean;
  /** The launch's progress as it began to wait: handed back in each heartbeat, so a read needs no query. */
  progress?: unknown;
}

/** What one look at a server found: ready (the checks that passed), or the check that is not yet true. */
export type ReadinessVerdict = { ready: true; checks: string[] } | { ready: false; waitingFor: string };

/**
 * Looks once: the server's state and status checks (through the worker's coalescer where it has one, batched with
 * every other launch's look), then the guest. A server that will never be ready is a non-retryable ServerFailed.
 */
export async function lookReady(
  { provider, guest, statuses }: Pick<ActivityDeps, 'provider' | 'guest' | 'statuses'>,
  input: ReadinessInput,
): Promise<ReadinessVerdict> {
  // A throttled call is tried again here, briefly: counted as an attempt, it would stretch the readiness backoff
  // toward 30 s for a server that is already up.
  const status: ServerStatus = statuses
    ? await retryTransient(() => statuses.status(input.region, input.serverId), 3)
    : await retryTransient(async () => {
        const server = await provider.getServer(input.region, input.serverId);
        const checks =
          server.state === 'running' ? await provider.statusChecks(input.region, server.id) : 'initializing';
        return { serverId: server.id, state: server.state, checks };
      }, 3);
  const id = input.serverId;
  if (status.state !== 'running') {
    if (status.state === 'pending') return { ready: false, waitingFor: `server ${id} is still pending` };
    throw ApplicationFailure.nonRetryable(`server ${id} is ${status.state}; it will not become ready`, 'ServerFailed');
  }
  if (status.checks !== 'ok') return { ready: false, waitingFor: `status checks of server ${id} are ${status.checks}` };
  const checks = ['running', 'status checks ok'];
  if (guest) {
    const target = {
      region: input.region,
      serverId: id,
      volumeIds: input.volumeIds,
      ...(input.host ? { host: input.host } : {}),
    };
    const probe = await guest.probe(target, input.mountPoint);
    if (!probe.reachable)
      return { ready: false, waitingFor: `guest of server ${id} is not reachable: ${probe.detail}` };
    checks.push('guest reachable');
    if (input.mountPoint) {
      if (!probe.mounted)
        return { ready: false, waitingFor: `${input.mountPoint} is not mounted in the guest: ${probe.detail}` };
      checks.push(`${input.mountPoint} mounted`);
    }
  }
  return { ready: true, checks };
}

/**
 * Readiness. With `wait`, the worker's ReadyWaits follows the server until it is ready and completes this activity
 * then: no worker slot is held meanwhile, no task goes through Temporal between looks, and each look is batched with
 * every other launch's. Without (or on a worker with no ReadyWaits), one look: not ready is a retryable failure
 * naming the failing check, and the retry policy polls.
 */
export async function checkReady(deps: ActivityDeps, input: ReadinessInput): Promise<{ checks: string[] }> {
  if (input.wait && deps.readyWaits) {
    const { taskToken, heartbeatDetails } = Context.current().info;
    deps.readyWaits.follow(taskToken, input, heartbeatDetails as ReadyWaitDetails | undefined);
    throw new CompleteAsyncError();
  }
  const verdict = await lookReady(deps, input);
  if (!verdict.ready) throw ApplicationFailure.retryable(verdict.waitingFor, 'NotReady');
  return { checks: verdict.checks };
}
