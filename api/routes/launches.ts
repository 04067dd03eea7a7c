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
        description: 'Starts the durable launch workflow (202). A repeated request with the same Idempotency-Key answers 200 with the same launch.',
        headers: z.object({ 'idempotency-key': IdempotencyKeySchema.optional() }),
        body: LaunchRequestSchema,
        response: { 200: LaunchAcceptedSchema, 202: LaunchAcceptedSchema, 400: ErrorSchema, 409: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { id, created, status } = await app.deps.launches.start(request.body, request.headers['idempotency-key']);
      const url = `/v1/launches/${id}`;
      // 202 for a new launch; 200 when the key names one that exists, with its status as it is now.
      return reply.code(created ? 202 : 200).header('location', url).send({ id, status, url });
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
