import { z } from 'zod';
import { CIDR_HINT, isIpv4Cidr, isIpv6Cidr } from './cidr';
import { FILESYSTEMS, RAID_LEVELS, volumePlanProblems } from './volume-plan';

// One schema for the API and the workflow: what a person asks for when launching a server from an image.

/** Server names: what every supported cloud accepts as a name tag and a hostname label. */
export const ServerNameSchema = z
  .string()
  .max(63)
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'use 1 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit',
  );

export const ResourceNameSchema = z
  .string()
  .max(100)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
    'use 1 to 100 letters, digits, dots, hyphens and underscores, starting with a letter or digit',
  );

/** A group's name as API keys and resource tags write it. */
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** One group a key pair or firewall is made for (a launch's group says more, since `*` is tempting there). */
export const GroupNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(GROUP_NAME, 'name one group (letters, digits and _ . : -)');

export const ProductChoiceSchema = z.union(
  [
    z.object({ productId: z.string().min(1).max(64) }).strict(),
    z
      .object({
        cpu: z.number().int().min(1).max(448),
        memoryGb: z.number().positive().max(24576),
        storageGb: z.number().int().min(1).max(65536),
      })
      .strict(),
  ],
  {
    error: 'give either {productId} or {cpu, memoryGb, storageGb} as numbers (the smallest fitting product is chosen)',
  },
);

export const FirewallRuleSchema = z
  .object({
    protocol: z.enum(['tcp', 'udp', 'icmp', 'all']),
    fromPort: z.number().int().min(-1).max(65535),
    toPort: z.number().int().min(-1).max(65535),
    cidr: z
      .string()
      .max(49)
      .refine((cidr) => isIpv4Cidr(cidr) || isIpv6Cidr(cidr), CIDR_HINT),
  })
  .strict()
  .refine((rule) => rule.fromPort <= rule.toPort, { message: 'fromPort must not be above toPort', path: ['toPort'] })
  // -1 is ICMP's "any type"; a TCP or UDP port is 0 to 65535.
  .refine((rule) => (rule.protocol !== 'tcp' && rule.protocol !== 'udp') || rule.fromPort >= 0, {
    message: 'a tcp or udp port is 0 to 65535',
    path: ['fromPort'],
  });

export const FirewallChoiceSchema = z.union(
  [
    z.object({ ids: z.array(z.string().min(1).max(128)).min(1).max(5) }).strict(),
    z
      .object({
        create: z.object({ name: ResourceNameSchema.optional(), rules: z.array(FirewallRuleSchema).max(50) }).strict(),
      })
      .strict(),
  ],
  { error: 'give either {ids: [...]} of existing firewalls or {create: {name?, rules}}' },
);

export const KeypairChoiceSchema = z.union(
  [
    z.object({ name: z.string().min(1).max(255) }).strict(),
    z.object({ create: z.object({ name: ResourceNameSchema.optional() }).strict() }).strict(),
  ],
  { error: 'give either {name} of an existing key pair or {create: {name?}}' },
);

/** A disk type as clouds name them (gp3, io2, pd-ssd, premium_lrs): no spaces, quotes or shell characters. */
const DiskTypeSchema = z
  .string()
  .max(32)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'name a disk type of the cloud, such as gp3: letters, digits, dots, hyphens and underscores',
  );
const DiskSchema = z.object({ sizeGb: z.number().int().min(1).max(16384), type: DiskTypeSchema.optional() }).strict();

export const VolumesRequestSchema = z
  .object({
    count: z.number().int().min(1).max(16).optional(),
    sizeGb: z.number().int().min(1).max(16384).optional(),
    disks: z.array(DiskSchema).min(1).max(16).optional(),
    raid: z.enum(RAID_LEVELS).default('none'),
    filesystem: z.enum(FILESYSTEMS).default('ext4'),
    mountPoint: z.string().min(1).max(128).default('/data'),
    encrypt: z.boolean().default(false),
    blockEncryption: z.boolean().default(false),
  })
  .strict()
  .superRefine((volumes, ctx) => {
    const byCount = volumes.count !== undefined || volumes.sizeGb !== undefined;
    if (byCount === (volumes.disks !== undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give either {count, sizeGb} or {disks: [{sizeGb, type?}]}' });
      return;
    }
    if (byCount && (volumes.count === undefined || volumes.sizeGb === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [volumes.count === undefined ? 'count' : 'sizeGb'],
        message: 'count and sizeGb go together',
      });
      return;
    }
    const disks = volumes.disks ?? Array.from({ length: volumes.count! }, () => ({ sizeGb: volumes.sizeGb! }));
    for (const problem of volumePlanProblems({ disks, raid: volumes.raid, mountPoint: volumes.mountPoint })) {
      ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
    }
  });

/** Labels a launch may give its server: EC2's 50 tags a resource, less the 10 keys the service may set itself. */
export const MAX_LABELS = 40;

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** Durations as people write them: 90s, 20m, 2h, 1d, or a number of seconds; parsed to seconds, at most `max`. */
export function durationSeconds(max: number, maxText: string) {
  return z
    .union([
      z.number().int(),
      z
        .string()
        .max(12)
        .regex(/^\d+(s|m|h|d)$/, 'write a duration such as 90s, 20m, 2h or 1d'),
    ])
    .transform((value) =>
      typeof value === 'number'
        ? value
        : Number(value.slice(0, -1)) * UNIT_SECONDS[value.slice(-1) as keyof typeof UNIT_SECONDS],
    )
    .pipe(z.number().int().min(1, 'at least 1 second').max(max, `at most ${maxText}`));
}

export const DurationSchema = durationSeconds(7200, '2 hours');

export const LaunchRequestSchema = z
  .object({
    imageId: z.string().min(1).max(128),
    name: ServerNameSchema,
    description: z.string().max(255).optional(),
    region: z.string().min(1).max(64),
    zone: z.string().min(1).max(64).optional(),
    product: ProductChoiceSchema,
    firewall: FirewallChoiceSchema.optional(),
    keypair: KeypairChoiceSchema.optional(),
    volumes: VolumesRequestSchema.optional(),
    group: z
      .string()
      .min(1)
      .max(64)
      .regex(
        GROUP_NAME,
        'name one group (letters, digits and _ . : -); "*" stands for every group in a key, not for a launch',
      ),
    billingCode: z.string().min(1).max(64),
    labels: z
      .record(
        z
          .string()
          .max(64)
          .regex(/^[A-Za-z0-9_.:/-]{1,64}$/, 'label keys: letters, digits and _ . : / -'),
        z.string().max(256),
      )
      .refine(
        (labels) => Object.keys(labels).length <= MAX_LABELS,
        `at most ${MAX_LABELS} labels: a cloud holds 50 tags, and the service sets the rest`,
      )
      .meta({ maxProperties: MAX_LABELS })
      .optional(),
    userData: z.string().max(16384).optional(),
    /** Seconds; from "90s", "20m", "2h" or a number. Default 20 minutes, at most 2 hours. */
    readyTimeout: DurationSchema.default(1200),
  })
  .strict();

/** As the API receives it (defaults not yet applied). */
export type LaunchRequestInput = z.input<typeof LaunchRequestSchema>;
/** As the workflow runs it: validated, defaults applied, readyTimeout in seconds. */
export type LaunchRequest = z.output<typeof LaunchRequestSchema>;
export type VolumesRequest = z.output<typeof VolumesRequestSchema>;
export type ProductChoice = z.infer<typeof ProductChoiceSchema>;
export type FirewallChoice = z.infer<typeof FirewallChoiceSchema>;
export type KeypairChoice = z.infer<typeof KeypairChoiceSchema>;
