import { LINEAGE_TAGS } from '../domain/images';
import type { CloudProvider } from './cloud-provider';
import { allOwnImages } from './own-images';

export interface ImageDependents {
  /** Servers launched from the image that are not terminated. */
  serverIds: string[];
  /** Own images captured from it (their lineage names it as parent) that still exist. */
  childImageIds: string[];
}

/** Who still depends on an image, read live from the cloud: never from a cache, since deletion trusts it. */
export async function imageDependents(provider: CloudProvider, region: string, imageId: string): Promise<ImageDependents> {
  const servers = await provider.listServers(region, { imageId });
  const own = await allOwnImages(provider, region);
  return {
    serverIds: servers.filter((s) => s.state !== 'terminated').map((s) => s.id),
    childImageIds: own.filter((i) => i.tags[LINEAGE_TAGS.parent] === imageId && i.state !== 'deleted').map((i) => i.id),
  };
}
