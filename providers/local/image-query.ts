import type { MachineImage } from '../../domain/image';
import type { PublicImageQuery } from '../cloud-provider';
import { hasTag } from './tags';

// Searching and ordering images, as the local clouds (sim, qemu) answer image listings.

/** Newest first, then by name: how listings are ordered. */
export const newestFirst = (a: MachineImage, b: MachineImage) =>
  b.createdAt.localeCompare(a.createdAt) || a.name.localeCompare(b.name);

/** `q` is a case-insensitive substring, or a glob (* and ?) matched against the whole name. */
export function nameMatcher(q: string | undefined): (name: string) => boolean {
  if (!q) return () => true;
  if (!/[*?]/.test(q)) return (name) => name.toLowerCase().includes(q.toLowerCase());
  const pattern = q
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const re = new RegExp(`^${pattern}$`, 'i');
  return (name) => re.test(name);
}

/** Whether a public image answers a search: name, platform, architecture, owner and tag, each when given. */
export function matchesQuery(query: PublicImageQuery): (image: MachineImage) => boolean {
  const matchesName = nameMatcher(query.q);
  return (image) =>
    matchesName(image.name) &&
    (!query.platform || image.platform === query.platform) &&
    (!query.architecture || image.architecture === query.architecture) &&
    (!query.ownerId || image.ownerId === query.ownerId) &&
    hasTag(image.tags, query.tag);
}
