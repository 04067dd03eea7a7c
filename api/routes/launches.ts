import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LaunchRequestSchema } from '../../domain/launch-request';
import { ErrorSchema, IdempotencyKeySchema } from '../schemas';
import { LaunchAcceptedSchema, LaunchIdParams, LaunchViewSchema } from './launches.schemas';

export const launchRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/launches',
    {
      schema: {
        tags: ['launches'],
        summary: 'Launch a server from an image',
        description: 'Starts the durable launch workflow. A repeated request with the same Idempotency-Key returns the same launch.',
        headers: z.object({ 'idempotency-key': IdempotencyKeySchema.optional() }),
        body: LaunchRequestSchema,
        response: { 202: LaunchAcceptedSchema, 400: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { id } = await app.deps.launches.start(request.body, request.headers['idempotency-key']);
      const url = `/v1/launches/${id}`;
      return reply.code(202).header('location', url).send({ id, status: 'running' as const, url });
    },
  );

  app.get(
    '/v1/launches/:id',
    {
      schema: {
        tags: ['launches'],
        summary: 'A launch: its status, steps, plan and, if it failed, why',
        params: LaunchIdParams,
        response: { 200: LaunchViewSchema, 400: ErrorSchema, 404: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request) => app.deps.launches.get(request.params.id),
  );
};
