import type { FamilyVersion } from '../domain/families';
import type { CloudProvider } from './cloud-provider';
import { allOwnImages } from './own-images';

/** A family's versions in a region, newest first: own images tagged with the family and a version. */
export async function familyVersions(
  provider: CloudProvider,
  region: string,
  family: string,
): Promise<FamilyVersion[]> {
  const images = await allOwnImages(provider, region);
  return images
    .filter((i) => i.tags.family === family && i.tags.version !== undefined)
    .map((i) => ({
      imageId: i.id,
      region,
      version: i.tags.version!,
      state: i.state,
      createdAt: i.createdAt,
      ...(i.tags['source-image'] ? { sourceImageId: i.tags['source-image'] } : {}),
    }))
    .sort(
      (a, b) =>
        b.createdAt.localeCompare(a.createdAt) || b.version.localeCompare(a.version, undefined, { numeric: true }),
    );
}
