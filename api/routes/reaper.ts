import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DEFAULT_REAPER_GRACE_SECONDS, REAP_KINDS, type ReapInput } from '../../domain/reaper';
import type { reapOrphans } from '../../workflows/reap-orphans';
import { ApiError } from '../errors';
import { ErrorSchema } from '../schemas';
import { publicText } from '../../domain/public-text';

const ReapItemSchema = z.object({
  kind: z.enum(REAP_KINDS),
  region: z.string(),
  id: z.string(),
  owner: z.string().optional(),
  reason: z.string(),
});
const count = z.number().int().min(0);
const ReapReportSchema = z.object({
  dryRun: z.boolean(),
  servers: count,
  volumes: count,
  keypairs: count,
  firewalls: count,
  images: count,
  secrets: count,
  items: z.array(ReapItemSchema),
  itemsOmitted: count,
  failed: z.array(z.object({ kind: z.enum(REAP_KINDS), region: z.string(), id: z.string(), error: z.string() })),
});

const ReaperQuery = z.object({
  dryRun: z.enum(['true', 'false']).default('false'),
  region: z.string().min(1).max(64).optional().describe('one region; all of them when absent'),
  graceSeconds: z
    .string()
    .max(6)
    .regex(/^\d{1,6}$/, 'whole seconds, at most 604800')
    .transform(Number)
    .pipe(z.number().max(7 * 24 * 3600, 'at most 604800 (a week)'))
    .optional()
    .describe('seconds; overrides REAPER_GRACE_SECONDS for this run'),
});

/** How long a dry run may take before the caller is sent to its operation instead. */
const DRY_RUN_WAIT_MS = 60_000;

// The reaper on demand, as its Temporal Schedule runs it every hour: a dry run answers with what would go and why.
export const reaperRoutes: FastifyPluginAsyncZod = async (app) => {
  const { client, provider, config } = app.deps;

  app.post(
    '/v1/reaper/run',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['reaper'],
        summary: 'Run the reaper now; with dryRun=true, list what it would remove and why, removing nothing',
        querystring: ReaperQuery,
        response: {
          200: ReapReportSchema,
          202: z.object({ id: z.string(), workflowId: z.string(), statusUrl: z.string() }),
          400: ErrorSchema,
          502: ErrorSchema,
          503: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { dryRun, region, graceSeconds } = request.query;
      const regions = await provider.listRegions();
      if (region && !regions.includes(region))
        throw new ApiError(
          400,
          'invalid_region',
          `querystring.region "${region}" is not a region of this cloud; GET /v1/regions lists them`,
        );
      const input: ReapInput = {
        regions: region ? [region] : regions,
        graceSeconds: graceSeconds ?? config.REAPER_GRACE_SECONDS ?? DEFAULT_REAPER_GRACE_SECONDS,
        dryRun: dryRun === 'true',
      };
      const workflowId = `reaper-${dryRun === 'true' ? 'dry-run-' : ''}${randomUUID()}`;
      const handle = await client.workflow.start<typeof reapOrphans>('reapOrphans', {
        workflowId,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        args: [input],
        staticSummary: publicText(
          `${input.dryRun ? 'Dry run of the reaper' : 'Reaper run'} in ${input.regions.join(', ')}, asked for by ${request.principal.name}`,
        ),
      });
      const statusUrl = `/v1/operations/${workflowId}`;
      if (input.dryRun) {
        const report = await client.connection
          .withDeadline(Date.now() + DRY_RUN_WAIT_MS, () => handle.result())
          .catch(() => undefined);
        if (report) return reply.code(200).send(report);
      }
      return reply.code(202).header('location', statusUrl).send({ id: workflowId, workflowId, statusUrl });
    },
  );
};
