import { z } from 'zod';

export const RegionQuery = z.object({
  region: z.string().min(1, 'name a region; GET /v1/regions lists them'),
});

export const ProductSchema = z.object({
  id: z.string(),
  name: z.string(),
  cpuCount: z.number(),
  memoryGb: z.number(),
  rootDiskGb: z.number(),
  architecture: z.enum(['x86_64', 'arm64']),
});

export const ProductsQuery = RegionQuery.extend({
  architecture: z.enum(['x86_64', 'arm64']).optional(),
  cpu: z.coerce.number().int().min(1).optional(),
  memoryGb: z.coerce.number().positive().optional(),
  storageGb: z.coerce.number().int().min(1).optional(),
});

export const ImageSchema = z.object({
  id: z.string(),
  provider: z.string(),
  region: z.string(),
  name: z.string(),
  description: z.string(),
  labelColor: z.string().optional(),
  ownerId: z.string(),
  visibility: z.enum(['public', 'private', 'shared']),
  state: z.enum(['pending', 'available', 'deprecated', 'disabled', 'failed', 'deleted', 'unknown']),
  stateReason: z.string().optional(),
  architecture: z.enum(['x86_64', 'arm64']),
  platform: z.string(),
  createdAt: z.string(),
  minDiskGb: z.number(),
  tags: z.record(z.string(), z.string()),
});

export const ImagesQuery = RegionQuery.extend({
  scope: z.enum(['public', 'own']).default('public'),
  q: z.string().max(128).optional(),
  platform: z.string().max(64).optional(),
  architecture: z.enum(['x86_64', 'arm64']).optional(),
  owner: z.string().max(64).optional(),
  cursor: z.string().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});

export const ImagePageSchema = z.object({ items: z.array(ImageSchema), nextCursor: z.string().optional() });
