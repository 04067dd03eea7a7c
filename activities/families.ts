import { ApplicationFailure } from '@temporalio/common';
import type { MachineImage } from '../domain/image';
import type { Family, RetirementAction } from '../domain/families';
import { hasCloudCode } from '../domain/cloud-errors';
import { familyVersions } from '../providers/family-versions';
import { imageDependents } from '../providers/image-dependents';
import type { CloudDeps } from './deps';

/** The newest available public image matching the family's source query. */
export async function resolveSource(
  { provider }: CloudDeps,
  region: string,
  source: Family['source'],
): Promise<{ id: string; name: string; createdAt: string }> {
  const found: MachineImage[] = [];
  let cursor: string | undefined;
  do {
    const page = await provider.searchPublicImages(region, {
      q: source.namePattern,
      limit: 1000,
      ...(source.architecture ? { architecture: source.architecture } : {}),
      ...(source.platform ? { platform: source.platform } : {}),
      ...(source.ownerId ? { ownerId: source.ownerId } : {}),
      ...(cursor ? { cursor } : {}),
    });
    found.push(...page.items.filter((i) => i.state === 'available'));
    cursor = page.nextCursor;
  } while (cursor);
  const newest = found.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))[0];
  if (!newest)
    throw ApplicationFailure.nonRetryable(
      `no available public image in ${region} matches "${source.namePattern}"; check the family's source`,
      'NoSourceImage',
    );
  return { id: newest.id, name: newest.name, createdAt: newest.createdAt };
}

export type RetireOutcome =
  | { imageId: string; outcome: 'done' | 'gone' | 'skipped'; action: RetirementAction; detail?: string }
  | { imageId: string; outcome: 'protected'; action: RetirementAction; serverIds: string[]; childImageIds: string[] };

/** One retirement stage for one version, re-checked live just before acting. */
export async function retireVersion(
  { provider }: CloudDeps,
  region: string,
  imageId: string,
  action: RetirementAction,
  replacementId?: string,
): Promise<RetireOutcome> {
  const image = await provider.getImage(region, imageId).catch((err: unknown) => {
    if (hasCloudCode(err, 'NotFound')) return undefined;
    throw err;
  });
  if (!image || image.state === 'deleted') return { imageId, outcome: 'gone', action };
  if (action === 'deprecate') {
    if (image.state !== 'available') return { imageId, outcome: 'skipped', action, detail: `already ${image.state}` };
    await provider.deprecateImage(region, imageId, replacementId ? { replacementId } : {});
    return { imageId, outcome: 'done', action };
  }
  // A version something still depends on stays deprecated (launchable by id) and is reported, never disabled or deleted.
  const dependents = await imageDependents(provider, region, imageId);
  if (dependents.serverIds.length || dependents.childImageIds.length) {
    return { imageId, outcome: 'protected', action, ...dependents };
  }
  if (action === 'disable') {
    await provider.disableImage(region, imageId);
    return { imageId, outcome: 'done', action };
  }
  await provider.deregisterImage(region, imageId);
  return { imageId, outcome: 'done', action };
}

/** Live dependents of a version, for a dry run's plan. */
export async function versionDependents({ provider }: CloudDeps, region: string, imageId: string) {
  return imageDependents(provider, region, imageId);
}

/** A family's versions in a region, newest first. */
export async function listFamilyVersions({ provider }: CloudDeps, region: string, family: string) {
  return familyVersions(provider, region, family);
}

/** Whether this cloud can disable an image (retirement's middle step); otherwise retirement deprecates, then deletes. */
export async function canDisableImages({ provider }: CloudDeps, region: string): Promise<boolean> {
  return (await provider.capabilities(region)).disableImage;
}
