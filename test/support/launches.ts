import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { expect } from 'vitest';
import { LaunchRequestSchema, type LaunchRequest, type LaunchRequestInput } from '../../domain/launch-request';
import type { SimProvider } from '../../providers/sim/sim-provider';
import { launchServer } from '../../workflows/launch-server';

/** A valid launch request body on the sim, as a person would send it. */
export const LAUNCH_BODY = {
  imageId: 'img-simeast1-0003',
  name: 'web-1',
  region: 'sim-east-1',
  product: { cpu: 1, memoryGb: 2, storageGb: 10 },
  group: 'ops',
  billingCode: 'ops-7',
} as const satisfies LaunchRequestInput;

/** That request parsed as the API would, with the given changes. */
export function launchRequest(overrides: Partial<LaunchRequestInput> = {}): LaunchRequest {
  return LaunchRequestSchema.parse({ ...LAUNCH_BODY, ...overrides });
}

export function startLaunch(
  client: Client,
  taskQueue: string,
  request: LaunchRequest,
  workflowId = `launch-${randomUUID()}`,
) {
  return client.workflow.start(launchServer, { args: [request], taskQueue, workflowId });
}

/** Everything a launch left in the sim: live servers, volumes, firewalls and key pairs carrying its workflow id. */
export async function leftovers(sim: SimProvider, workflowId: string, region = 'sim-east-1') {
  const tag = { key: 'workflow-id', value: workflowId };
  return {
    servers: (await sim.listServers(region, { tag })).filter((s) => s.state !== 'terminated').map((s) => s.id),
    volumes: (await sim.listVolumes(region, { tag })).map((v) => v.id),
    firewalls: (await sim.listFirewalls(region, { tag })).map((f) => f.id),
    keypairs: (await sim.listKeypairs(region)).filter((k) => k.tags['workflow-id'] === workflowId).map((k) => k.name),
  };
}

export async function expectNothingLeft(sim: SimProvider, workflowId: string): Promise<void> {
  expect(await leftovers(sim, workflowId)).toEqual({ servers: [], volumes: [], firewalls: [], keypairs: [] });
}

/** Until the launch's readiness wait has looked once and heartbeated (what it waits for shows in describe()). */
export async function untilWaitHeartbeats(handle: WorkflowHandle): Promise<void> {
  await expect
    .poll(
      async () =>
        (await handle.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === 'checkReady')
          ?.heartbeatDetails?.payloads?.length ?? 0,
      { timeout: 60_000, interval: 250 },
    )
    .toBe(1);
}
