import { z } from 'zod';
import { LaunchRequestSchema } from '../../domain/launch-request';
import { LAUNCH_ID_PATTERN, LAUNCH_STEPS } from '../../domain/launch';
import { ProductSchema } from './catalog.schemas';

export const LaunchIdParams = z.object({
  id: z.string().regex(LAUNCH_ID_PATTERN, 'a launch id looks like launch-<key>, as returned by POST /v1/launches'),
});


const LaunchStatusSchema = z.enum(['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed-out']);

export const LaunchViewSchema = z.object({
  id: z.string(),
  status: LaunchStatusSchema,
  request: LaunchRequestSchema,
  steps: z.array(
    z.object({
      name: z.enum(LAUNCH_STEPS),
      status: z.enum(['pending', 'running', 'completed', 'failed']),
      startedAt: z.string().optional(),
      finishedAt: z.string().optional(),
      detail: z.string().optional(),
    }),
  ),
  plan: z
    .object({
      image: z.object({ id: z.string(), name: z.string(), state: z.string(), architecture: z.string(), platform: z.string() }),
      product: ProductSchema,
    })
    .optional(),
  warnings: z.array(z.string()),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  startedAt: z.string(),
  closedAt: z.string().optional(),
});

export const LaunchAcceptedSchema = z.object({
  id: z.string(),
  status: LaunchStatusSchema,
  url: z.string(),
});

export type LaunchView = z.infer<typeof LaunchViewSchema>;
