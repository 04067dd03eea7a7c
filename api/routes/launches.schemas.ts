import { z } from 'zod';
import { LaunchRequestSchema } from '../../domain/launch-request';
import { LAUNCH_ID_PATTERN, LAUNCH_STEPS } from '../../domain/launch';
import { ProductSchema } from './catalog.schemas';

export const LaunchIdParams = z.object({
  id: z
    .string()
    .max(107)
    .regex(LAUNCH_ID_PATTERN, 'a launch id looks like launch-<key>, as returned by POST /v1/launches'),
});

/** The request as the workflow holds it: readyTimeout already in seconds (the input schema's transform runs one way). */
const AcceptedRequestSchema = LaunchRequestSchema.extend({ readyTimeout: z.number().describe('seconds') });

const LaunchStatusSchema = z.enum(['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed-out']);
/** One launch's view adds `stuck`: running, but its workflow task keeps failing (visibility cannot list by it). */
const LaunchViewStatusSchema = z.enum([...LaunchStatusSchema.options, 'stuck']);
const ErrorBody = z.object({ code: z.string(), message: z.string() });

const LaunchedServerSchema = z.object({
  id: z.string(),
  name: z.string(),
  zone: z.string(),
  publicIp: z.string().optional(),
  privateIp: z.string().optional(),
});

export const LaunchViewSchema = z.object({
  id: z.string(),
  workflowId: z.string(),
  status: LaunchViewStatusSchema,
  request: AcceptedRequestSchema,
  step: z.enum(LAUNCH_STEPS).optional(),
  steps: z.array(
    z.object({
      name: z.enum(LAUNCH_STEPS),
      state: z.enum(['running', 'completed', 'failed', 'skipped']),
      startedAt: z.string(),
      durationMs: z.number().optional(),
      detail: z.string().optional(),
    }),
  ),
  plan: z
    .object({
      image: z.object({
        id: z.string(),
        name: z.string(),
        state: z.string(),
        architecture: z.string(),
        platform: z.string(),
      }),
      product: ProductSchema,
      zone: z.string(),
      provider: z.string(),
    })
    .optional(),
  server: LaunchedServerSchema.optional(),
  keypairName: z.string().optional(),
  privateKeyAvailable: z.boolean().optional(),
  firewallIds: z.array(z.string()).optional(),
  volumes: z
    .object({
      volumeIds: z.array(z.string()),
      raid: z.string(),
      arrayDevice: z.string().optional(),
      luksDevice: z.string().optional(),
      filesystem: z.string(),
      filesystemUuid: z.string().optional(),
      mountPoint: z.string(),
    })
    .optional(),
  /** Running, but its workflow task keeps failing: the server's reason, and the attempt it is at. */
  stuck: z.object({ reason: z.string(), attempt: z.number() }).optional(),
  /** While a step retries (the guest's SSH, readiness): the check that last failed. */
  waitingFor: z.string().optional(),
  /** The launch fails as ReadyTimeout unless its server is ready by then: readyTimeout after provisioning began. */
  readyBy: z.string().optional(),
  /** While it runs: seconds until readyBy. */
  readySecondsLeft: z.number().optional(),
  warnings: z.array(z.string()),
  error: ErrorBody.optional(),
  startedAt: z.string(),
  closedAt: z.string().optional(),
  webUiUrl: z.string().optional(),
});

export const LaunchAcceptedSchema = z.object({
  id: z.string(),
  workflowId: z.string(),
  status: LaunchStatusSchema,
  statusUrl: z.string(),
  /** What the admission found worth saying (a billing code over its soft quota); also in the launch's progress. */
  warnings: z.array(z.string()).optional(),
});

export const LaunchListQuery = z.object({
  billingCode: z.string().max(64).optional(),
  group: z.string().max(64).optional(),
  imageId: z.string().max(128).optional(),
  state: LaunchStatusSchema.optional(),
  cursor: z.string().max(4096).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const LaunchSummarySchema = z.object({
  id: z.string(),
  status: LaunchStatusSchema,
  name: z.string().optional(),
  imageId: z.string().optional(),
  serverId: z.string().optional(),
  step: z
    .string()
    .optional()
    .describe(
      'the phase the launch is in, named by its first step: preflight, provision, volumes, wait-ready or cleanup (GET /v1/launches/{id} names the exact step)',
    ),
  group: z.string().optional(),
  billingCode: z.string().optional(),
  region: z.string().optional(),
  startedAt: z.string(),
  closedAt: z.string().optional(),
});

export const LaunchListSchema = z.object({ items: z.array(LaunchSummarySchema), nextCursor: z.string().optional() });

export type LaunchView = z.infer<typeof LaunchViewSchema>;
export type LaunchStatus = z.infer<typeof LaunchStatusSchema>;
export type LaunchSummary = z.infer<typeof LaunchSummarySchema>;
