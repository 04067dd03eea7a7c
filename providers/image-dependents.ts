import type { MachineImage } from '../domain/image';
import { LINEAGE_TAGS } from '../domain/images';
import type { CloudProvider } from './cloud-provider';

export interface ImageDependents {
  /** Servers launched from the image that are not terminated. */
  serverIds: string[];
  /** Own images captured from it (their lineage names it as parent) that still exist. */
  childImageIds: string[];
}

/** Who still depends on an image, read live from the cloud: never from a cache, since deletion trusts it. */
export async function imageDependents(provider: CloudProvider, region: string, imageId: string): Promise<ImageDependents> {
  const servers = await provider.listServers(region, { imageId });
  const own: MachineImage[] = [];
  let cursor: string | undefined;
  do {
    const page = await provider.listImages(region, { limit: 1000, ...(cursor ? { cursor } : {}) });
    own.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return {
    serverIds: servers.filter((s) => s.state !== 'terminated').map((s) => s.id),
    childImageIds: own.filter((i) => i.tags[LINEAGE_TAGS.parent] === imageId && i.state !== 'deleted').map((i) => i.id),
  };
}
