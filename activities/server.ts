import { ApplicationFailure } from '@temporalio/common';
import { launchTags, type LaunchPlan, type LaunchedServer } from '../domain/launch';
import type { LaunchRequest } from '../domain/launch-request';
import type { Server } from '../domain/server';
import { hasCloudCode } from '../domain/cloud-errors';
import { pollUntil } from './poll';
import { forEachThenRetry } from './provider-failure';
import type { ActivityDeps, CloudDeps } from './deps';
import { provisioningKey } from '../secrets/provisioning-key';
import { composeUserData } from './user-data';

const launched = (server: Server): LaunchedServer => ({
  id: server.id,
  name: server.name,
  zone: server.zone,
  ...(server.publicIp ? { publicIp: server.publicIp } : {}),
  ...(server.privateIp ? { privateIp: server.privateIp } : {}),
});

export interface ProvisionInput {
  workflowId: string;
  request: Pick<LaunchRequest, 'region' | 'name' | 'group' | 'billingCode' | 'labels' | 'userData'>;
  plan: LaunchPlan;
  keypairName?: string;
  firewallIds: string[];
}

/** Launches the server; the client token (and the tag the driver looks for) makes every retry the same launch. */
export async function provisionServer(
  { provider, keys, guest }: ActivityDeps,
  input: ProvisionInput,
): Promise<LaunchedServer> {
  const { request, plan, workflowId } = input;
  // The provisioning key goes in through user data where the guest executor needs it to reach the guest (SSH).
  const key = guest?.needsProvisioningKey ? await provisioningKey(keys) : undefined;
  const userData = composeUserData(key?.publicKey, request.userData);
  const server = await provider.launchServer(request.region, {
    imageId: plan.image.id,
    productId: plan.product.id,
    name: request.name,
    zone: plan.zone,
    firewallIds: input.firewallIds,
    ...(input.keypairName ? { keypairName: input.keypairName } : {}),
    ...(userData ? { userData } : {}),
    tags: { ...request.labels, ...launchTags(workflowId, request), 'client-token': `${workflowId}/server` },
    clientToken: `${workflowId}/server`,
  });
  return launched(server);
}

/** Waits until the server runs; a server that ends instead fails the launch for good. */
export async function waitServerRunning(
  { provider }: CloudDeps,
  region: string,
  serverId: string,
): Promise<LaunchedServer> {
  const server = await pollUntil(
    () => provider.getServer(region, serverId),
    (s) => s.state !== 'pending',
  );
  if (server.state !== 'running') {
    throw ApplicationFailure.nonRetryable(
      `server ${serverId} went ${server.state} instead of running; see the cloud's console for why`,
      'ServerFailed',
    );
  }
  return launched(server);
}

/** Terminates every server this launch made, found again by its tag, and waits until they are gone. */
export async function releaseServers({ provider }: CloudDeps, workflowId: string, region: string): Promise<string[]> {
  const mine = await provider.listServers(region, { tag: { key: 'workflow-id', value: workflowId } });
  const live = mine.filter((s) => s.state !== 'terminated');
  await forEachThenRetry(live, (server) => terminateAndWait({ provider }, region, server.id));
  return live.map((s) => s.id);
}

/** Terminates one server and waits until it is gone; one already gone counts as done. */
export async function terminateAndWait({ provider }: CloudDeps, region: string, serverId: string): Promise<void> {
  await provider.terminateServer(region, serverId);
  await pollUntil(
    () =>
      provider
        .getServer(region, serverId)
        .catch((err: unknown) =>
          hasCloudCode(err, 'NotFound') ? { state: 'terminated' as const } : Promise.reject(err),
        ),
    (s) => s.state === 'terminated',
  );
}

/** The server as the cloud sees it now (what a stop or start that ran out of time last saw). */
export async function readServer({ provider }: CloudDeps, region: string, serverId: string): Promise<Server> {
  return provider.getServer(region, serverId);
}

/**
 * Asks the cloud to reboot the server. A reboot has no client token: only a call that failed, or whose answer was
 * lost with its worker, is made again, and a second reboot of a server already restarting does no harm.
 */
export async function rebootServer({ provider }: CloudDeps, region: string, serverId: string): Promise<void> {
  await provider.rebootServer(region, serverId);
}

/** Waits until the rebooted server runs and passes its status checks again. */
export async function waitRebooted({ provider }: CloudDeps, region: string, serverId: string): Promise<void> {
  await pollUntil(
    async () => {
      const server = await provider.getServer(region, serverId);
      return server.state === 'running' ? provider.statusChecks(region, serverId) : server.state;
    },
    (seen) => seen === 'ok',
  );
}
