import { ApplicationFailure } from '@temporalio/common';
import { retryTransient } from './provider-failure';
import type { ActivityDeps } from './deps';

export interface ReadinessInput {
  region: string;
  serverId: string;
  host?: string;
  volumeIds: string[];
  mountPoint?: string;
}

/**
 * Checks readiness once. Not ready is a retryable failure that names the failing check: the workflow's retry
 * policy does the polling, bounded by the launch's readyTimeout, and the last failure is the progress to show.
 */
export async function checkReady(
  { provider, guest }: ActivityDeps,
  input: ReadinessInput,
): Promise<{ checks: string[] }> {
  const notReady = (check: string) => ApplicationFailure.retryable(check, 'NotReady');
  // A throttled call is tried again here, briefly: counted as an attempt, it would stretch the readiness backoff
  // toward 30 s for a server that is already up.
  const server = await retryTransient(() => provider.getServer(input.region, input.serverId), 3);
  if (server.state !== 'running') {
    if (server.state === 'pending') throw notReady(`server ${server.id} is still pending`);
    throw ApplicationFailure.nonRetryable(
      `server ${server.id} is ${server.state}; it will not become ready`,
      'ServerFailed',
    );
  }
  const status = await retryTransient(() => provider.statusChecks(input.region, input.serverId), 3);
  if (status !== 'ok') throw notReady(`status checks of server ${server.id} are ${status}`);
  const checks = ['running', 'status checks ok'];
  if (guest) {
    const target = {
      region: input.region,
      serverId: input.serverId,
      volumeIds: input.volumeIds,
      ...(input.host ? { host: input.host } : {}),
    };
    const probe = await guest.probe(target, input.mountPoint);
    if (!probe.reachable) throw notReady(`guest of server ${server.id} is not reachable: ${probe.detail}`);
    checks.push('guest reachable');
    if (input.mountPoint) {
      if (!probe.mounted) throw notReady(`${input.mountPoint} is not mounted in the guest: ${probe.detail}`);
      checks.push(`${input.mountPoint} mounted`);
    }
  }
  return { checks };
}
