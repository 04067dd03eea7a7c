import {
  CreateImageCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  type DescribeImagesCommandInput,
  type Filter,
  type Image,
} from '@aws-sdk/client-ec2';
import type { MachineImage } from '../../domain/image';
import type { Page, PageRequest } from '../../domain/page';
import type { CaptureImageInput, PublicImageQuery } from '../cloud-provider';
import { ProviderError } from '../../domain/cloud-errors';
import { ignoreNotFound, readBack, type Ec2Session } from './ec2-session';
import { nameFilterValues, nameMatcher, toMachineImage } from './image-mapping';
import { isOwnImage } from './image-shares';
import { collectAll, pageThrough } from './paging';
import { getServer } from './servers';
import { TAG, tagFilters, tagSpecifications } from './tags';

// DescribeImages' largest batch; fixed so that a NextToken always fetches the same batch again.
const BATCH = 1000;

type ImageQuery = Pick<DescribeImagesCommandInput, 'Owners' | 'Filters' | 'ImageIds'>;

function describe(ec2: Ec2Session, region: string, query: ImageQuery, token?: string) {
  const paged = query.ImageIds ? {} : { MaxResults: BATCH, NextToken: token };
  return ec2.call(region, 'DescribeImages', (c) => c.send(new DescribeImagesCommand({ ...query, ...paged })));
}

async function pageImages(
  ec2: Ec2Session,
  region: string,
  query: ImageQuery,
  request: PageRequest,
  keep: (image: MachineImage) => boolean = () => true,
): Promise<Page<MachineImage>> {
  return pageThrough(request, async (token) => {
    const out = await describe(ec2, region, query, token);
    const items = (out.Images ?? []).map((i) => toMachineImage(region, i)).filter(keep);
    return { items, next: out.NextToken };
  });
}

// An own image stays `private` when shared or made public: who else may launch it is listImageShares' answer.
const asOwn = (image: MachineImage): MachineImage => ({ ...image, visibility: 'private' });

export async function listImages(ec2: Ec2Session, region: string, page: PageRequest = {}): Promise<Page<MachineImage>> {
  const own = await pageImages(ec2, region, { Owners: ['self'] }, page);
  return { ...own, items: own.items.map(asOwn) };
}

export function searchPublicImages(
  ec2: Ec2Session,
  region: string,
  query: PublicImageQuery,
): Promise<Page<MachineImage>> {
  const filters: Filter[] = [{ Name: 'is-public', Values: ['true'] }, ...tagFilters(query.tag)];
  if (query.q) filters.push({ Name: 'name', Values: nameFilterValues(query.q) });
  if (query.architecture) filters.push({ Name: 'architecture', Values: [query.architecture] });
  const matchesName = query.q ? nameMatcher(query.q) : () => true;
  const keep = (image: MachineImage) =>
    matchesName(String(image.extra.ec2Name ?? image.name)) && (!query.platform || image.platform === query.platform);
  const owners = query.ownerId ? { Owners: [query.ownerId] } : {};
  return pageImages(ec2, region, { ...owners, Filters: filters }, query, keep);
}

export async function getImage(ec2: Ec2Session, region: string, imageId: string): Promise<MachineImage> {
  const image = await findImage(ec2, region, { ImageIds: [imageId] });
  if (!image)
    throw new ProviderError(
      'NotFound',
      `image ${imageId} does not exist in ${region} (or is not visible to this account)`,
    );
  const found = toMachineImage(region, image);
  return found.visibility === 'public' && (await isOwnImage(ec2, region, imageId)) ? asOwn(found) : found;
}

export async function captureImage(ec2: Ec2Session, region: string, input: CaptureImageInput): Promise<MachineImage> {
  // CreateImage takes no client token: a token tag on our own images stands in for one.
  if (input.clientToken) {
    const earlier = await findImage(ec2, region, {
      Owners: ['self'],
      Filters: tagFilters({ key: TAG.clientToken, value: input.clientToken }),
    });
    if (earlier) return toMachineImage(region, earlier);
  }
  const server = await getServer(ec2, region, input.serverId);
  if (server.state !== 'running' && server.state !== 'stopped') {
    throw new ProviderError(
      'Conflict',
      `server ${input.serverId} is ${server.state}; an image can be captured only from a running or stopped server`,
    );
  }
  const tags = {
    ...input.tags,
    [TAG.name]: input.name,
    ...(input.clientToken ? { [TAG.clientToken]: input.clientToken } : {}),
  };
  const created = await ec2.call(region, 'CreateImage', (c) =>
    c.send(
      new CreateImageCommand({
        InstanceId: input.serverId,
        Name: input.name,
        Description: input.description,
        NoReboot: !input.reboot,
        TagSpecifications: tagSpecifications(['image'], tags),
      }),
    ),
  );
  const imageId = created.ImageId;
  if (!imageId)
    throw new ProviderError(
      'Unavailable',
      `EC2 CreateImage in ${region} returned no image id for server ${input.serverId}`,
    );
  return readBack(() => getImage(ec2, region, imageId));
}

export async function deregisterImage(ec2: Ec2Session, region: string, imageId: string): Promise<void> {
  await ignoreNotFound(() =>
    ec2.call(region, 'DeregisterImage', (c) =>
      c.send(new DeregisterImageCommand({ ImageId: imageId, DeleteAssociatedSnapshots: true })),
    ),
  );
}

async function findImage(ec2: Ec2Session, region: string, query: ImageQuery): Promise<Image | undefined> {
  try {
    const images = await collectAll(async (token) => {
      const out = await describe(ec2, region, query, token);
      return { items: out.Images ?? [], next: out.NextToken };
    });
    return images[0];
  } catch (err) {
    if (err instanceof ProviderError && err.code === 'NotFound') return undefined;
    throw err;
  }
}
