import { z } from 'zod';

export const RegionQuery = z.object({
  region: z.string().min(1, 'name a region; GET /v1/regions lists them').max(64),
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
