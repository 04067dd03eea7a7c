import { z } from 'zod';
import { FamilyNameSchema, FamilySchema } from '../../domain/families';
import { ProductChoiceSchema } from '../../domain/launch-request';

const { shape } = FamilySchema;

/** An object's fields, all optional and without defaults: a PATCH names only what changes. */
function patchOf<T extends z.ZodRawShape>(fields: T) {
  const optional = Object.fromEntries(
    Object.entries(fields).map(([key, field]) => [
      key,
      (field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType)).optional(),
    ]),
  ) as unknown as { [K in keyof T]: z.ZodOptional<T[K] extends z.ZodDefault<infer Inner> ? Inner : T[K]> };
  return z.object(optional).strict();
}

export const FamilyParams = z.object({ name: FamilyNameSchema });

/** A change to a family: nested source, retention and schedule merge into the current ones; giving cron or every replaces the other. */
export const FamilyPatchSchema = patchOf({
  ...shape,
  source: patchOf(shape.source.shape),
  retention: patchOf(shape.retention.shape),
  schedule: patchOf(shape.schedule.shape),
});
export type FamilyPatch = z.output<typeof FamilyPatchSchema>;

// Responses: the family as stored (durations in seconds, defaults applied), without the request schema's transforms.
export const FamilyOutputSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  source: z.object({
    namePattern: z.string(),
    ownerId: z.string().optional(),
    architecture: z.enum(['x86_64', 'arm64']).optional(),
    platform: z.string().optional(),
  }),
  customize: z.object({ userData: z.string() }).optional(),
  product: ProductChoiceSchema.optional(),
  regions: z.array(z.string()),
  retention: z.object({ keepNewest: z.number().optional(), keepDays: z.number().optional(), floor: z.number() }),
  schedule: z.object({
    cron: z.string().optional(),
    every: z.number().optional().describe('seconds'),
    timezone: z.string(),
    paused: z.boolean(),
  }),
  group: z.string(),
  billingCode: z.string(),
});

export const FamilyViewSchema = FamilyOutputSchema.extend({
  paused: z
    .boolean()
    .describe("the schedule's live state: paused by the definition, by hand in the Web UI, or after a failed run"),
  nextRunAt: z.string().optional(),
});

const booleanFlag = z.enum(['true', 'false']).default('false');
export const RefreshQuery = z.object({ dryRun: booleanFlag, force: booleanFlag });

const RegionPlanSchema = z.object({
  region: z.string(),
  sourceImageId: z.string().optional(),
  build: z.object({ sourceImageId: z.string(), version: z.string(), reason: z.string() }).optional(),
  upToDate: z.boolean().optional(),
  keep: z.array(z.object({ imageId: z.string(), reason: z.string() })),
  retire: z.array(
    z.object({ imageId: z.string(), action: z.enum(['deprecate', 'disable', 'delete']), reason: z.string() }),
  ),
  protected: z.array(
    z.object({ imageId: z.string(), serverIds: z.array(z.string()), childImageIds: z.array(z.string()) }),
  ),
  built: z.string().optional(),
  errors: z.array(z.string()),
});

export const RefreshReportSchema = z.object({
  family: z.string(),
  dryRun: z.boolean(),
  regions: z.array(RegionPlanSchema),
});

export const VersionsQuery = z.object({
  region: z.string().min(1).max(64).optional().describe("one region; all the family's regions when absent"),
});

export const FamilyVersionSchema = z.object({
  imageId: z.string(),
  region: z.string(),
  version: z.string(),
  state: z.enum(['available', 'deprecated', 'disabled', 'pending', 'failed', 'deleted', 'unknown']),
  createdAt: z.string(),
  sourceImageId: z.string().optional(),
});

export const FamilyRunSchema = z.object({
  workflowId: z.string(),
  runId: z.string(),
  status: z.string(),
  dryRun: z.boolean(),
  startedAt: z.string(),
  closedAt: z.string().optional(),
  report: RefreshReportSchema.optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
