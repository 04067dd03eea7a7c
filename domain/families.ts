import { z } from 'zod';
import { ProductChoiceSchema, durationSeconds } from './launch-request';

// Template families: a provided image kept current as versions of a private image, on a schedule.

export const FamilyNameSchema = z
  .string()
  .max(63)
  .regex(
    /^[a-z0-9][a-z0-9.-]{0,62}$/,
    'use 1 to 63 lowercase letters, digits, dots and hyphens, starting with a letter or digit',
  );

export const FamilySchema = z
  .object({
    name: FamilyNameSchema,
    description: z.string().max(255).optional(),
    /** Which public image is the upstream: the newest available one that matches. */
    source: z
      .object({
        namePattern: z.string().min(1).max(128).describe('a glob (* and ?) or a name substring'),
        ownerId: z.string().max(64).optional(),
        architecture: z.enum(['x86_64', 'arm64']).optional(),
        platform: z.string().max(64).optional(),
      })
      .strict(),
    customize: z
      .object({ userData: z.string().max(16384) })
      .strict()
      .optional(),
    product: ProductChoiceSchema.optional(),
    regions: z.array(z.string().min(1).max(64)).min(1).max(10),
    retention: z
      .object({
        /** Keep the newest N versions... */
        keepNewest: z.number().int().min(1).max(100).optional(),
        /** ...or those younger than D days... */
        keepDays: z.number().int().min(1).max(3650).optional(),
        /** ...but never fewer than this many. */
        floor: z.number().int().min(1).max(100).default(1),
      })
      .strict()
      .refine((r) => r.keepNewest !== undefined || r.keepDays !== undefined, {
        message: 'give keepNewest or keepDays',
      }),
    schedule: z
      .object({
        cron: z.string().min(1).max(128).optional(),
        every: durationSeconds(90 * 86400, '90 days').optional(),
        timezone: z.string().min(1).max(64).default('UTC'),
        paused: z.boolean().default(false),
      })
      .strict()
      .refine((s) => (s.cron === undefined) !== (s.every === undefined), {
        message: 'give exactly one of cron or every',
      }),
    group: z.string().min(1).max(64).default('image-builds'),
    billingCode: z.string().min(1).max(64).default('image-builds'),
  })
  .strict();

export type FamilyInput = z.input<typeof FamilySchema>;
export type Family = z.output<typeof FamilySchema>;

export interface RefreshInput {
  family: Family;
  /** Build a new version even when the current one was built from the newest source. */
  force?: boolean;
  /** Only plan: change nothing. */
  dryRun?: boolean;
}

export type VersionState = 'available' | 'deprecated' | 'disabled' | 'pending' | 'failed' | 'deleted' | 'unknown';

export interface FamilyVersion {
  imageId: string;
  region: string;
  version: string;
  state: VersionState;
  createdAt: string;
  sourceImageId?: string;
}

export type RetirementAction = 'deprecate' | 'disable' | 'delete';

export interface RegionPlan {
  region: string;
  /** The upstream image resolved at the start of the run (never re-resolved). */
  sourceImageId?: string;
  build?: { sourceImageId: string; version: string; reason: string };
  upToDate?: boolean;
  keep: { imageId: string; reason: string }[];
  retire: { imageId: string; action: RetirementAction; reason: string }[];
  /** Versions that would be deleted but something still depends on them: they stay deprecated. */
  protected: { imageId: string; serverIds: string[]; childImageIds: string[] }[];
  built?: string;
  errors: string[];
}

export interface RefreshReport {
  family: string;
  dryRun: boolean;
  regions: RegionPlan[];
}

export const familyScheduleId = (name: string) => `family-${name}`;
export const refreshWorkflowId = (name: string, key: string) => `refresh-${name}-${key}`;
