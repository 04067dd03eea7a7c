import { actsFor, type Principal } from '../../domain/access';
import type { MachineImage } from '../../domain/image';
import { LINEAGE_TAGS } from '../../domain/images';
import { requireOwnImage } from '../image-catalog';
import { ApiError, notFound } from '../errors';
import { orNotFound } from './scope';

// Images by group: public images and the provided templates of families are for everyone to see and clone;
// other own images are their group's (the `group` tag a capture or clone sets), or an admin's when untagged.

/** A family's own version (a refresh sets family and version); a clone of one keeps `family` but not `version`. */
export const isProvidedTemplate = (image: MachineImage): boolean =>
  image.tags[LINEAGE_TAGS.family] !== undefined && image.tags[LINEAGE_TAGS.version] !== undefined;

/** Another account's image shared with this account is, like a public one, for every group to launch. */
export function canSeeImage(principal: Principal, image: MachineImage): boolean {
  return (
    image.visibility === 'public' ||
    image.visibility === 'shared' ||
    isProvidedTemplate(image) ||
    actsFor(principal, image.tags.group)
  );
}

export function requireImageVisible(principal: Principal, image: MachineImage): void {
  if (!canSeeImage(principal, image)) throw notFound(`image ${image.id}`);
}

/** Changes need the image's group; a provided template that is not the caller's says so instead of pretending it is absent. */
export function requireImageChangeable(principal: Principal, image: MachineImage, action: string): void {
  requireImageVisible(principal, image);
  if (actsFor(principal, image.tags.group)) return;
  throw new ApiError(
    403,
    'forbidden',
    `image ${image.id} is a provided template${image.tags.group ? ` of group "${image.tags.group}"` : ''}; ${principal.name} may not ${action} it. Clone it (POST /v1/images/${image.id}/clone) and ${action} the copy`,
  );
}

/** The image a lookup finds, if the caller may see it: a missing one and a hidden one answer the same 404. */
export async function visibleImage(
  principal: Principal,
  lookup: Promise<MachineImage>,
  imageId: string,
): Promise<MachineImage> {
  const image = await lookup.catch(orNotFound(`image ${imageId}`));
  requireImageVisible(principal, image);
  return image;
}

/** An image the caller may change: visible (404), this account's (409), and of the caller's group (403), in that order. */
export async function changeableImage(
  principal: Principal,
  lookup: Promise<MachineImage>,
  imageId: string,
  action: string,
): Promise<MachineImage> {
  const image = await visibleImage(principal, lookup, imageId);
  requireOwnImage(image, action);
  requireImageChangeable(principal, image, action);
  return image;
}
