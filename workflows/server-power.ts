import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  TimeoutFailure,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { Activities } from '../activities';
import { ServerId } from '../domain/search-attributes';
import { powerTarget, type PowerAction, type ServerPowerInput, type ServerPowerResult } from '../domain/server-power';
import { glanceActivity, powerActivity } from './activity-options';
import { showDetails } from './details';

const glance = proxyActivities<Activities>(glanceActivity);

/**
 * Stops, starts or reboots a server and waits until it is stopped, or running (after a reboot, with its status
 * checks passed again). Past its limit it fails as PowerTimeout, naming the state the cloud last reported, and leaves
 * the server as it is (a stop may still complete).
 */
export async function changeServerPower(input: ServerPowerInput): Promise<ServerPowerResult> {
  const { region, serverId, action, timeoutSeconds } = input;
  const target = powerTarget(action);
  upsertSearchAttributes([{ key: ServerId, value: serverId }]);
  showDetails(`${action} server ${serverId} in ${region}: waiting until it is ${target}`);
  const wait = proxyActivities<Activities>(powerActivity(timeoutSeconds));
  // The reboot call itself is quick, and is not made again once it has succeeded; only the wait has the limit.
  if (action === 'reboot') await glance.rebootServer(region, serverId);
  try {
    await settle(wait, action, region, serverId);
  } catch (err) {
    const outOfTime =
      err instanceof ActivityFailure && (err.cause instanceof TimeoutFailure || err.retryState === RetryState.TIMEOUT);
    if (!outOfTime) throw err;
    const last = await glance.readServer(region, serverId).then(
      (server) => server.state,
      () => 'unknown',
    );
    const goal = action === 'reboot' ? 'back (running, status checks passed)' : target;
    showDetails(`${action} server ${serverId}: not ${goal} within ${timeoutSeconds} s (it is ${last})`);
    throw ApplicationFailure.nonRetryable(
      `server ${serverId} was not ${goal} within ${timeoutSeconds} s of the ${action} (it is ${last}); look at it in the cloud's console, or try again with a longer timeout`,
      'PowerTimeout',
    );
  }
  showDetails(`${action} server ${serverId}: ${target}`);
  return { serverId, state: target };
}

type Waits = ReturnType<typeof proxyActivities<Activities>>;

function settle(wait: Waits, action: PowerAction, region: string, serverId: string): Promise<void> {
  if (action === 'stop') return wait.stopServerAndWait(region, serverId);
  if (action === 'start') return wait.startServerAndWait(region, serverId);
  return wait.waitRebooted(region, serverId);
}
