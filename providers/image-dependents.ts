import { LINEAGE_TAGS } from '../domain/images';
import type { CloudProvider } from './cloud-provider';
import { allOwnImages } from './own-images';

export interface ImageDependents {
  /** Servers launched from the image that are not terminated. */
  serverIds: string[];
  /** Own images captured from it (their lineage names it as parent) that still exist. */
  childImageIds: string[];
  /** The group of each of those servers and images (their `group` tag), where they have one. */
  groups: Record<string, string | undefined>;
}

/** Who still depends on an image, read live from the cloud: never from a cache, since deletion trusts it. */
export async function imageDependents(
  provider: CloudProvider,
  region: string,
  imageId: string,
): Promise<ImageDependents> {
  const servers = await provider.listServers(region, { imageId });
  const own = await allOwnImages(provider, region);
  const live = servers.filter((s) => s.state !== 'terminated');
  const children = own.filter((i) => i.tags[LINEAGE_TAGS.parent] === imageId && i.state !== 'deleted');
  return {
    serverIds: live.map((s) => s.id),
    childImageIds: children.map((i) => i.id),
    groups: Object.fromEntries([...live, ...children].map((thing) => [thing.id, thing.tags.group])),
  };
}
