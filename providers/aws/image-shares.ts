import {
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  ModifyImageAttributeCommand,
  type LaunchPermission,
} from '@aws-sdk/client-ec2';
import type { ImageShareChange, ImageShares, MachineImage } from '../../domain/image';
import type { Page, PageRequest } from '../../domain/page';
import type { Ec2Session } from './ec2-session';
import { toMachineImage } from './image-mapping';
import { collectAll, pageThrough } from './paging';

// Sharing is EC2's launch permissions: a UserId per account, the group `all` for public.

const BATCH = 1000;

const permissionsOf = (change: ImageShareChange): LaunchPermission[] => [
  ...(change.accounts ?? []).map((UserId) => ({ UserId })),
  ...(change.public ? [{ Group: 'all' as const }] : []),
];

export async function listImageShares(ec2: Ec2Session, region: string, imageId: string): Promise<ImageShares> {
  const out = await ec2.call(region, 'DescribeImageAttribute', (c) =>
    c.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' })),
  );
  const permissions = out.LaunchPermissions ?? [];
  return {
    accounts: permissions.flatMap((p) => (p.UserId ? [p.UserId] : [])).sort(),
    public: permissions.some((p) => p.Group === 'all'),
  };
}

async function modify(
  ec2: Ec2Session,
  region: string,
  imageId: string,
  permission: { Add: LaunchPermission[] } | { Remove: LaunchPermission[] },
): Promise<ImageShares> {
  await ec2.call(region, 'ModifyImageAttribute', (c) =>
    c.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: permission })),
  );
  return listImageShares(ec2, region, imageId);
}

export const shareImage = (ec2: Ec2Session, region: string, imageId: string, change: ImageShareChange) =>
  modify(ec2, region, imageId, { Add: permissionsOf(change) });

export const unshareImage = (ec2: Ec2Session, region: string, imageId: string, change: ImageShareChange) =>
  modify(ec2, region, imageId, { Remove: permissionsOf(change) });

/** Whether this account owns the image: an own image made public is still ours to change. */
export async function isOwnImage(ec2: Ec2Session, region: string, imageId: string): Promise<boolean> {
  // Owners is ignored next to ImageIds on some EC2 implementations (moto); a filter on the id is not.
  const out = await ec2.call(region, 'DescribeImages', (c) =>
    c.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'image-id', Values: [imageId] }] })),
  );
  return (out.Images ?? []).length > 0;
}

/**
 * Images other accounts shared with this one: ExecutableUsers=self also answers public images (and, on some
 * implementations, own ones shared with this account), so those are left out.
 */
export async function listSharedImages(
  ec2: Ec2Session,
  region: string,
  page: PageRequest = {},
): Promise<Page<MachineImage>> {
  const own = new Set(
    await collectAll(async (token) => {
      const out = await ec2.call(region, 'DescribeImages', (c) =>
        c.send(new DescribeImagesCommand({ Owners: ['self'], MaxResults: BATCH, NextToken: token })),
      );
      return { items: (out.Images ?? []).map((i) => i.ImageId), next: out.NextToken };
    }),
  );
  return pageThrough(page, async (token) => {
    const out = await ec2.call(region, 'DescribeImages', (c) =>
      c.send(new DescribeImagesCommand({ ExecutableUsers: ['self'], MaxResults: BATCH, NextToken: token })),
    );
    const items = (out.Images ?? [])
      .filter((i) => !i.Public && !own.has(i.ImageId))
      .map((i): MachineImage => ({ ...toMachineImage(region, i), visibility: 'shared' }));
    return { items, next: out.NextToken };
  });
}
