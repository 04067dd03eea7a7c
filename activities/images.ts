import { ApplicationFailure } from '@temporalio/common';
import type { MachineImage } from '../domain/image';
import { LINEAGE_TAGS, type CaptureRequest } from '../domain/images';
import { MANAGED_BY } from '../domain/launch';
import { imageDependents } from '../providers/image-dependents';
import { allOwnImages } from '../providers/own-images';
import { pollUntil } from './poll';
import type { CloudDeps } from './deps';

/** Whether this cloud can image the server as it is now; `stopFirst` when it must (or was asked to) be stopped. */
export async function checkCapturable(
  { provider }: CloudDeps,
  region: string,
  serverId: string,
  reboot: boolean,
): Promise<{ stopFirst: boolean }> {
  const [server, capabilities] = await Promise.all([
    provider.getServer(region, serverId),
    provider.capabilities(region),
  ]);
  const from = capabilities.captureFrom;
  if (server.state === 'running' && (reboot || !from.includes('running'))) {
    if (!from.includes('stopped'))
      throw ApplicationFailure.nonRetryable(
        `${provider.name} cannot image a stopped server, and reboot needs one`,
        'Unsupported',
      );
    return { stopFirst: true };
  }
  if ((server.state === 'running' || server.state === 'stopped') && from.includes(server.state))
    return { stopFirst: false };
  throw ApplicationFailure.nonRetryable(
    `server ${serverId} is ${server.state}; ${provider.name} images servers that are ${from.join(' or ')}`,
    'ServerNotCapturable',
  );
}

export async function stopServerAndWait({ provider }: CloudDeps, region: string, serverId: string): Promise<void> {
  await provider.stopServer(region, serverId);
  await pollUntil(
    () => provider.getServer(region, serverId),
    (s) => s.state === 'stopped',
  );
}

/** Starts a server again; one still stopping is waited for first, one already running is left as it is. */
export async function startServerAndWait({ provider }: CloudDeps, region: string, serverId: string): Promise<void> {
  const settled = await pollUntil(
    () => provider.getServer(region, serverId),
    (s) => s.state !== 'stopping' && s.state !== 'pending',
  );
  if (settled.state === 'stopped') await provider.startServer(region, serverId);
  await pollUntil(
    () => provider.getServer(region, serverId),
    (s) => s.state === 'running',
  );
}

/** Starts the capture; the workflow id is the client token, so a retry finds the image the first attempt began. */
export async function startCapture(
  { provider }: CloudDeps,
  workflowId: string,
  input: CaptureRequest & { tags?: Record<string, string> },
): Promise<MachineImage> {
  const server = await provider.getServer(input.region, input.serverId);
  return provider.captureImage(input.region, {
    serverId: input.serverId,
    name: input.name,
    ...(input.description ? { description: input.description } : {}),
    reboot: false, // the workflow stops and starts the server itself, and waits for each
    clientToken: workflowId,
    tags: {
      [LINEAGE_TAGS.parent]: server.imageId,
      [LINEAGE_TAGS.sourceServer]: server.id,
      // The image belongs to the group of the server it was made from (for a clone: the clone's group).
      ...(server.tags.group ? { group: server.tags.group } : {}),
      ...input.tags,
      'managed-by': MANAGED_BY,
      'workflow-id': workflowId,
      'client-token': workflowId,
    },
  });
}

/** Checks once; "not yet" is retryable, so the retry policy polls until the capture's limit. */
export async function checkImageAvailable(
  { provider }: CloudDeps,
  region: string,
  imageId: string,
): Promise<MachineImage> {
  const image = await provider.getImage(region, imageId);
  if (image.state === 'available') return image;
  if (image.state === 'failed' || image.state === 'deleted') {
    throw ApplicationFailure.nonRetryable(
      `image ${imageId} is ${image.state}${image.stateReason ? `: ${image.stateReason}` : ''}`,
      'CaptureFailed',
    );
  }
  throw ApplicationFailure.retryable(`image ${imageId} is still ${image.state}`, 'ImageNotYetAvailable');
}

export async function readImage({ provider }: CloudDeps, region: string, imageId: string): Promise<MachineImage> {
  return provider.getImage(region, imageId);
}

/** Deregisters every image this workflow made (found by its tag): a half-made image must not outlive a failed capture. */
export async function releaseImages({ provider }: CloudDeps, workflowId: string, region: string): Promise<string[]> {
  const released: string[] = [];
  const mine = (await allOwnImages(provider, region)).filter((i) => i.tags['workflow-id'] === workflowId);
  for (const image of mine) {
    await provider.deregisterImage(region, image.id);
    released.push(image.id);
  }
  return released;
}

/** Deletes an image unless something still depends on it, checked live just before acting. */
export async function deleteImageChecked(
  { provider }: CloudDeps,
  region: string,
  imageId: string,
  force: boolean,
): Promise<{ deleted: boolean }> {
  if (!force) {
    const dependents = await imageDependents(provider, region, imageId);
    if (dependents.serverIds.length || dependents.childImageIds.length) {
      throw ApplicationFailure.nonRetryable(
        `image ${imageId} is in use: servers ${dependents.serverIds.join(', ') || 'none'}; images made from it ${dependents.childImageIds.join(', ') || 'none'}; terminate them or delete with force`,
        'ImageInUse',
      );
    }
  }
  await provider.deregisterImage(region, imageId);
  return { deleted: true };
}
