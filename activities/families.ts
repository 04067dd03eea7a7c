import { ApplicationFailure } from '@temporalio/common';
import type { MachineImage } from '../domain/image';
import type { Family, ReapReport, RetirementAction } from '../domain/families';
import { MANAGED_BY } from '../domain/launch';
import type { CloudProvider } from '../providers/cloud-provider';
import { imageDependents } from '../providers/image-dependents';
import { allOwnImages } from '../providers/own-images';
import { callProvider } from './provider-failure';
import type { OwnerState, WorkflowStatus } from './workflow-status';

/** The newest available public image matching the family's source query. */
export async function resolveSource(provider: CloudProvider, region: string, source: Family['source']): Promise<{ id: string; name: string; createdAt: string }> {
  const found: MachineImage[] = [];
  let cursor: string | undefined;
  do {
    const page = await callProvider(() =>
      provider.searchPublicImages(region, {
        q: source.namePattern,
        limit: 1000,
        ...(source.architecture ? { architecture: source.architecture } : {}),
        ...(source.platform ? { platform: source.platform } : {}),
        ...(source.ownerId ? { ownerId: source.ownerId } : {}),
        ...(cursor ? { cursor } : {}),
      }),
    );
    found.push(...page.items.filter((i) => i.state === 'available'));
    cursor = page.nextCursor;
  } while (cursor);
  const newest = found.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))[0];
  if (!newest) throw ApplicationFailure.nonRetryable(`no available public image in ${region} matches "${source.namePattern}"; check the family's source`, 'NoSourceImage');
  return { id: newest.id, name: newest.name, createdAt: newest.createdAt };
}

const ownImages = (provider: CloudProvider, region: string) => callProvider(() => allOwnImages(provider, region));

export type RetireOutcome =
  | { imageId: string; outcome: 'done' | 'gone' | 'skipped'; action: RetirementAction; detail?: string }
  | { imageId: string; outcome: 'protected'; action: RetirementAction; serverIds: string[]; childImageIds: string[] };

/** One retirement stage for one version, re-checked live just before acting. */
export async function retireVersion(
  provider: CloudProvider,
  region: string,
  imageId: string,
  action: RetirementAction,
  replacementId?: string,
): Promise<RetireOutcome> {
  const image = await callProvider(() => provider.getImage(region, imageId)).catch((err: unknown) => {
    if (err instanceof ApplicationFailure && err.type === 'NotFound') return undefined;
    throw err;
  });
  if (!image || image.state === 'deleted') return { imageId, outcome: 'gone', action };
  if (action === 'deprecate') {
    if (image.state !== 'available') return { imageId, outcome: 'skipped', action, detail: `already ${image.state}` };
    await callProvider(() => provider.deprecateImage(region, imageId, replacementId ? { replacementId } : {}));
    return { imageId, outcome: 'done', action };
  }
  // A version something still depends on stays deprecated (launchable by id) and is reported, never disabled or deleted.
  const dependents = await callProvider(() => imageDependents(provider, region, imageId));
  if (dependents.serverIds.length || dependents.childImageIds.length) {
    return { imageId, outcome: 'protected', action, ...dependents };
  }
  if (action === 'disable') {
    await callProvider(() => provider.disableImage(region, imageId));
    return { imageId, outcome: 'done', action };
  }
  await callProvider(() => provider.deregisterImage(region, imageId));
  return { imageId, outcome: 'done', action };
}

/** Live dependents of a version, for a dry run's plan. */
export async function versionDependents(provider: CloudProvider, region: string, imageId: string) {
  return callProvider(() => imageDependents(provider, region, imageId));
}

/**
 * Removes what this service made and did not mean to keep: resources tagged managed-by whose expires-at has passed,
 * temporary servers whose owning workflow has closed, and images whose capture closed without completing.
 */
export async function reapRegion(provider: CloudProvider, workflows: WorkflowStatus | undefined, region: string, nowIso: string): Promise<ReapReport> {
  const now = Date.parse(nowIso);
  // The owner of a clone's temporary server is the clone, not its (already finished) child launch.
  const ownerOf = (tags: Record<string, string>) => tags['clone-workflow-id'] ?? tags['workflow-id'];
  const ownerState = async (tags: Record<string, string>): Promise<OwnerState> => {
    const owner = ownerOf(tags);
    return owner && workflows ? workflows.of(owner) : 'unknown';
  };
  const abandoned = async (tags: Record<string, string>) =>
    tags['managed-by'] === MANAGED_BY && tags.temporary === 'true' && ['completed', 'ended'].includes(await ownerState(tags));
  const expired = (tags: Record<string, string>) => tags['managed-by'] === MANAGED_BY && tags['expires-at'] !== undefined && Date.parse(tags['expires-at']) < now;
  const report: ReapReport = { servers: 0, volumes: 0, keypairs: 0, firewalls: 0, images: 0 };
  const managed = { key: 'managed-by', value: MANAGED_BY };

  for (const server of await callProvider(() => provider.listServers(region, { tag: managed }))) {
    if (server.state === 'terminated' || !(expired(server.tags) || (await abandoned(server.tags)))) continue;
    await callProvider(() => provider.terminateServer(region, server.id));
    report.servers += 1;
  }
  for (const volume of await callProvider(() => provider.listVolumes(region, { tag: managed }))) {
    if (!expired(volume.tags)) continue;
    // One still attached comes free once its server is gone: the next run deletes it.
    if (volume.serverId) {
      await callProvider(() => provider.detachVolume(region, volume.id)).catch(() => undefined);
      continue;
    }
    await callProvider(() => provider.deleteVolume(region, volume.id));
    report.volumes += 1;
  }
  for (const keypair of await callProvider(() => provider.listKeypairs(region))) {
    if (!expired(keypair.tags)) continue;
    await callProvider(() => provider.deleteKeypair(region, keypair.name));
    report.keypairs += 1;
  }
  for (const firewall of await callProvider(() => provider.listFirewalls(region, { tag: managed }))) {
    if (!expired(firewall.tags)) continue;
    // In use by a server still terminating: the next run takes it.
    const deleted = await callProvider(() => provider.deleteFirewall(region, firewall.id)).then(() => true, () => false);
    if (deleted) report.firewalls += 1;
  }
  for (const image of await ownImages(provider, region)) {
    // Half-made: never became available, and the capture that made it ended without completing.
    const halfMade = image.state !== 'available' && image.tags['managed-by'] === MANAGED_BY && (await ownerState(image.tags)) === 'ended';
    if (!expired(image.tags) && !halfMade) continue;
    await callProvider(() => provider.deregisterImage(region, image.id));
    report.images += 1;
  }
  return report;
}
