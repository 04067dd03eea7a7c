import { actsFor, type Principal } from '../../domain/access';
import type { MachineImage } from '../../domain/image';
import { LINEAGE_TAGS } from '../../domain/images';
import { ApiError, notFound } from '../errors';

// Images by group: public images and the provided templates of families are for everyone to see and clone;
// other own images are their group's (the `group` tag a capture or clone sets), or an admin's when untagged.

/** A family's own version (a refresh sets family and version); a clone of one keeps `family` but not `version`. */
export const isProvidedTemplate = (image: MachineImage): boolean =>
  image.tags[LINEAGE_TAGS.family] !== undefined && image.tags[LINEAGE_TAGS.version] !== undefined;

export function canSeeImage(principal: Principal, image: MachineImage): boolean {
  return image.visibility === 'public' || isProvidedTemplate(image) || actsFor(principal, image.tags.group);
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
