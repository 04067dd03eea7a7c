import type { Image } from '@aws-sdk/client-ec2';
import type { MachineImage } from '../../domain/image';
import { imageState } from './states';
import { TAG, fromTagList } from './tags';

const DEFAULT_ROOT_GB = 8;

// Checked in order against the name and PlatformDetails; the first match names the platform.
const PLATFORMS: [RegExp, string][] = [
  [/ubuntu/, 'ubuntu'],
  [/debian/, 'debian'],
  [/amzn|amazon|^al20\d\d-/, 'amazon-linux'],
  [/rhel|red ?hat/, 'rhel'],
  [/rocky/, 'rocky'],
  [/suse|sles/, 'suse'],
];

export function platformOf(image: Image): string {
  if (/windows/i.test(`${image.Platform ?? ''} ${image.PlatformDetails ?? ''}`)) return 'windows';
  const name = (image.Name ?? '').toLowerCase();
  const details = (image.PlatformDetails ?? '').toLowerCase();
  return PLATFORMS.find(([pattern]) => pattern.test(name) || pattern.test(details))?.[1] ?? 'linux';
}

export function toMachineImage(region: string, image: Image, now = new Date()): MachineImage {
  const tags = fromTagList(image.Tags);
  const deprecated = image.DeprecationTime !== undefined && new Date(image.DeprecationTime) <= now;
  const state = imageState(image.State);
  const root =
    image.BlockDeviceMappings?.find((m) => m.DeviceName === image.RootDeviceName) ?? image.BlockDeviceMappings?.[0];
  return {
    id: image.ImageId ?? '',
    provider: 'aws',
    region,
    name: tags[TAG.name] || image.Name || '',
    description: image.Description ?? '',
    ...(tags[TAG.labelColor] ? { labelColor: tags[TAG.labelColor] } : {}),
    ownerId: image.OwnerId ?? '',
    visibility: image.Public ? 'public' : 'private',
    state: state === 'available' && deprecated ? 'deprecated' : state,
    ...(image.StateReason?.Message ? { stateReason: image.StateReason.Message } : {}),
    architecture: image.Architecture === 'arm64' ? 'arm64' : 'x86_64',
    platform: platformOf(image),
    createdAt: isoOrEmpty(image.CreationDate),
    minDiskGb: root?.Ebs?.VolumeSize ?? DEFAULT_ROOT_GB,
    tags,
    extra: {
      ec2Name: image.Name,
      imageLocation: image.ImageLocation,
      imageOwnerAlias: image.ImageOwnerAlias,
      rootDeviceName: image.RootDeviceName,
      rootDeviceType: image.RootDeviceType,
      deprecationTime: image.DeprecationTime,
      platformDetails: image.PlatformDetails,
      virtualizationType: image.VirtualizationType,
      bootMode: image.BootMode,
      ec2State: image.State,
    },
  };
}

function isoOrEmpty(value: string | undefined): string {
  const date = value ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : '';
}

/** Case-insensitive: a glob (`*`, `?`) must match the whole name, anything else is a substring. */
export function nameMatcher(q: string): (name: string) => boolean {
  const lower = q.toLowerCase();
  if (!isGlob(q)) return (name) => name.toLowerCase().includes(lower);
  const source = [...lower]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const pattern = new RegExp(`^${source}$`, 's');
  return (name) => pattern.test(name.toLowerCase());
}

export const isGlob = (q: string): boolean => /[*?]/.test(q);

/**
 * Values for EC2's `name` filter. It is case-sensitive, so the common spellings go in as alternatives
 * (values are OR-ed); results are matched again locally without regard to case.
 */
export function nameFilterValues(q: string): string[] {
  const pattern = isGlob(q) ? q : `*${q}*`;
  const capitalized = pattern.replace(/[a-z]/i, (c) => c.toUpperCase());
  return [...new Set([pattern, pattern.toLowerCase(), pattern.toUpperCase(), capitalized])];
}
