import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  setCurrentDetails,
  TimeoutFailure,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { Activities } from '../activities';
import { ServerId } from '../domain/search-attributes';
import type { ServerPowerInput, ServerPowerResult } from '../domain/server-power';
import { glanceActivity, powerActivity } from './activity-options';

const glance = proxyActivities<Activities>(glanceActivity);

/**
 * Stops or starts a server and waits until it is stopped or running. Past its limit it fails as PowerTimeout, naming
 * the state the cloud last reported, and leaves the server as it is (a stop may still complete).
 */
export async function changeServerPower(input: ServerPowerInput): Promise<ServerPowerResult> {
  const { region, serverId, action, timeoutSeconds } = input;
  const target = action === 'stop' ? 'stopped' : 'running';
  upsertSearchAttributes([{ key: ServerId, value: serverId }]);
  setCurrentDetails(`${action} server ${serverId} in ${region}: waiting until it is ${target}`);
  const wait = proxyActivities<Activities>(powerActivity(timeoutSeconds));
  try {
    await (action === 'stop' ? wait.stopServerAndWait(region, serverId) : wait.startServerAndWait(region, serverId));
  } catch (err) {
    const outOfTime =
      err instanceof ActivityFailure && (err.cause instanceof TimeoutFailure || err.retryState === RetryState.TIMEOUT);
    if (!outOfTime) throw err;
    const last = await glance.readServer(region, serverId).then(
      (server) => server.state,
      () => 'unknown',
    );
    setCurrentDetails(`${action} server ${serverId}: not ${target} within ${timeoutSeconds} s (it is ${last})`);
    throw ApplicationFailure.nonRetryable(
      `server ${serverId} was not ${target} within ${timeoutSeconds} s of the ${action} (it is ${last}); look at it in the cloud's console, or try again with a longer timeout`,
      'PowerTimeout',
    );
  }
  setCurrentDetails(`${action} server ${serverId}: ${target}`);
  return { serverId, state: target };
}
