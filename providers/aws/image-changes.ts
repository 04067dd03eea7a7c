import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DisableImageCommand,
  EnableImageCommand,
  EnableImageDeprecationCommand,
  ModifyImageAttributeCommand,
} from '@aws-sdk/client-ec2';
import type { MachineImage } from '../../domain/image';
import type { ImageUpdate } from '../cloud-provider';
import { ProviderError } from '../../domain/cloud-errors';
import type { Ec2Session } from './ec2-session';
import { getImage } from './images';
import { TAG, toTagList } from './tags';

// Changes to an existing image. EC2 cannot rename an image, so our name lives in its Name tag.
export async function updateImage(
  ec2: Ec2Session,
  region: string,
  imageId: string,
  update: ImageUpdate,
): Promise<MachineImage> {
  const tags: Record<string, string> = { ...update.labels };
  if (update.name !== undefined) tags[TAG.name] = update.name;
  if (update.labelColor !== undefined) tags[TAG.labelColor] = update.labelColor;
  if (update.description !== undefined) {
    const Description = { Value: update.description };
    await ec2.call(region, 'ModifyImageAttribute', (c) =>
      c.send(new ModifyImageAttributeCommand({ ImageId: imageId, Description })),
    );
  }
  await setTags(ec2, region, imageId, tags);
  return getImage(ec2, region, imageId);
}

/** Deprecates now, or at `at`; tags the replacement when there is one. */
export async function deprecateImage(
  ec2: Ec2Session,
  region: string,
  imageId: string,
  options: { replacementId?: string; at?: string } = {},
): Promise<MachineImage> {
  // EC2 refuses a time in the past and rounds to the minute: "now" is the next whole minute.
  const DeprecateAt =
    options.at === undefined ? new Date(Math.ceil((Date.now() + 1000) / 60_000) * 60_000) : new Date(options.at);
  if (Number.isNaN(DeprecateAt.getTime())) {
    throw new ProviderError(
      'InvalidInput',
      `at must be an ISO date and time, like 2030-01-31T00:00:00Z; got "${options.at}"`,
    );
  }
  await ec2.call(region, 'EnableImageDeprecation', (c) =>
    c.send(new EnableImageDeprecationCommand({ ImageId: imageId, DeprecateAt })),
  );
  if (options.replacementId) await setTags(ec2, region, imageId, { [TAG.replacedBy]: options.replacementId });
  return getImage(ec2, region, imageId);
}

export async function disableImage(ec2: Ec2Session, region: string, imageId: string): Promise<MachineImage> {
  await ec2.call(region, 'DisableImage', (c) => c.send(new DisableImageCommand({ ImageId: imageId })));
  return getImage(ec2, region, imageId);
}

export async function enableImage(ec2: Ec2Session, region: string, imageId: string): Promise<MachineImage> {
  await ec2.call(region, 'EnableImage', (c) => c.send(new EnableImageCommand({ ImageId: imageId })));
  return getImage(ec2, region, imageId);
}

/** Sets tags on any resource; an empty value removes the tag. */
export async function setTags(
  ec2: Ec2Session,
  region: string,
  resourceId: string,
  tags: Record<string, string>,
): Promise<void> {
  const entries = Object.entries(tags);
  const set = Object.fromEntries(entries.filter(([, value]) => value !== ''));
  const removed = entries.filter(([, value]) => value === '').map(([Key]) => ({ Key }));
  if (Object.keys(set).length > 0) {
    await ec2.call(region, 'CreateTags', (c) =>
      c.send(new CreateTagsCommand({ Resources: [resourceId], Tags: toTagList(set) })),
    );
  }
  if (removed.length > 0) {
    await ec2.call(region, 'DeleteTags', (c) =>
      c.send(new DeleteTagsCommand({ Resources: [resourceId], Tags: removed })),
    );
  }
}
