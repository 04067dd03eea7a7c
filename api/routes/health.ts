import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { checkReadiness } from '../readiness';

const ReadySchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.object({ temporal: z.string(), worker: z.string() }),
  message: z.string(),
});

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness: the API process answers',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/v1/ready',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Readiness: Temporal reachable and a worker polling the task queue',
        response: { 200: ReadySchema, 503: ReadySchema.extend({ code: z.string() }) },
      },
    },
    async (_request, reply) => {
      const { TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE } = app.deps.config;
      const result = await checkReadiness(app.deps.client, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE);
      if (result.ready) return { status: 'ready' as const, checks: result.checks, message: result.message };
      return reply
        .code(503)
        .send({ code: 'not_ready', status: 'not_ready' as const, checks: result.checks, message: result.message });
    },
  );
};
