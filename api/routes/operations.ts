import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Group } from '../../domain/search-attributes';
import { requireVisible } from '../auth/scope';
import { notFound } from '../errors';
import { failureOf } from '../failures';
import { stuckOf } from '../stuck';
import { ErrorSchema } from '../schemas';
import { statusOfName } from '../workflow-status';

const OperationParams = z.object({
  id: z
    .string()
    .max(140)
    .regex(
      /^(terminate|stop|start|reboot|capture|clone|refresh|delete-image|reaper)-[A-Za-z0-9_.:-]{1,120}$/,
      'an operation id as a 202 answer gave it',
    ),
});

/** Workflows that change the image catalog: once one is seen closed, cached listings may be stale. */
const IMAGE_WORKFLOWS = new Set(['captureImage', 'cloneTemplate', 'deleteImage', 'refreshImageFamily']);

// Long-running operations other than launches (terminate, capture, clone, delete image, family refresh, reaper run): one status shape.
export const operationRoutes: FastifyPluginAsyncZod = async (app) => {
  const { client, images } = app.deps;

  app.get(
    '/v1/operations/:id',
    {
      config: { access: 'read' },
      schema: {
        tags: ['operations'],
        summary: 'A long-running operation: its status, and its result or error when done',
        params: OperationParams,
        response: {
          200: z.object({
            id: z.string(),
            type: z.string(),
            status: z
              .string()
              .describe(
                'running, completed, failed, cancelled, terminated, timed-out; or stuck: running, but its workflow task keeps failing',
              ),
            stuck: z.object({ reason: z.string(), attempt: z.number() }).optional(),
            startedAt: z.string(),
            closedAt: z.string().optional(),
            result: z.unknown().optional(),
            error: ErrorSchema.optional(),
          }),
          400: ErrorSchema,
          404: ErrorSchema,
          503: ErrorSchema,
        },
      },
    },
    async (request) => {
      const handle = client.workflow.getHandle(request.params.id);
      const description = await handle.describe().catch((err: unknown) => {
        throw err instanceof WorkflowNotFoundError ? notFound(`operation ${request.params.id}`) : err;
      });
      // Operations carry the group they act for; those with none (family refreshes) are for admins.
      requireVisible(request.principal, description.typedSearchAttributes.get(Group), `operation ${request.params.id}`);
      const status = statusOfName(description.status.name);
      if (status !== 'running' && IMAGE_WORKFLOWS.has(description.type)) images.invalidate();
      const base = {
        id: request.params.id,
        type: description.type,
        status,
        startedAt: description.startTime.toISOString(),
        ...(description.closeTime ? { closedAt: description.closeTime.toISOString() } : {}),
      };
      if (status === 'running') {
        // Its workflow task keeps failing: it makes no progress until a fixed build is deployed or it is terminated.
        const stuck = await stuckOf(client, request.params.id, description);
        return stuck ? { ...base, status: 'stuck', stuck } : base;
      }
      if (status === 'completed') return { ...base, result: await handle.result() };
      if (status === 'failed') {
        const error = await failureOf(handle.result());
        return { ...base, ...(error ? { error } : {}) };
      }
      return base;
    },
  );
};
