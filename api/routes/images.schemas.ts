import { z } from 'zod';
import { LABEL_COLORS } from '../../domain/images';
import { RegionQuery } from './catalog.schemas';

const ImageStateSchema = z.enum(['pending', 'available', 'deprecated', 'disabled', 'failed', 'deleted', 'unknown']);

export const ImageSchema = z.object({
  id: z.string(),
  provider: z.string(),
  region: z.string(),
  name: z.string(),
  description: z.string(),
  labelColor: z.string().optional(),
  ownerId: z.string(),
  visibility: z.enum(['public', 'private', 'shared']),
  state: ImageStateSchema,
  stateReason: z.string().optional(),
  architecture: z.enum(['x86_64', 'arm64']),
  platform: z.string(),
  createdAt: z.string(),
  minDiskGb: z.number(),
  tags: z.record(z.string(), z.string()),
});

export const ImageDetailSchema = ImageSchema.extend({
  lineage: z.object({
    parentImageId: z.string().optional(),
    sourceServerId: z.string().optional(),
    family: z.string().optional(),
    version: z.string().optional(),
    replacedBy: z.string().optional(),
  }),
  /** Servers launched from the image that are not terminated, read live. */
  servers: z.object({ count: z.number(), ids: z.array(z.string()) }),
});

const booleanFlag = z.enum(['true', 'false']).default('false');

export const ImagesQuery = RegionQuery.extend({
  scope: z
    .enum(['public', 'own', 'all', 'shared'])
    .default('public')
    .describe('own images, the public library, both (own first), or other accounts’ images shared with this one'),
  q: z.string().max(128).optional().describe('a name substring, or a glob with * and ? matched against the whole name'),
  platform: z.string().max(64).optional(),
  architecture: z.enum(['x86_64', 'arm64']).optional(),
  owner: z.string().max(64).optional(),
  family: z.string().max(128).optional(),
  state: ImageStateSchema.optional(),
  label: z.enum(LABEL_COLORS, { error: `choose one of ${LABEL_COLORS.join(', ')}` }).optional(),
  includeDeprecated: booleanFlag,
  cursor: z.string().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});

export const ImagePageSchema = z.object({ items: z.array(ImageSchema), nextCursor: z.string().optional() });

export const ImageParams = z.object({
  id: z
    .string()
    .max(128)
    .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'an image id as GET /v1/images lists them'),
});

export const DeleteImageQuery = RegionQuery.extend({ force: booleanFlag });

/** The answer to a request that started (202) or found (200) a long-running operation. */
export const OperationAcceptedSchema = z.object({ id: z.string(), workflowId: z.string(), statusUrl: z.string() });
