import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  CaptureRequestSchema,
  CloneRequestSchema,
  captureWorkflowId,
  cloneWorkflowId,
  deleteImageWorkflowId,
  type DeleteImageRequest,
} from '../../domain/images';
import { actsFor } from '../../domain/access';
import { imageDependents, type ImageDependents } from '../../providers/image-dependents';
import { Group } from '../../domain/search-attributes';
import { changeableImage, visibleImage } from '../auth/image-scope';
import { orNotFound, requireActsFor, requireVisible } from '../auth/scope';
import { ApiError } from '../errors';
import { startOperation } from '../idempotent-start';
import { ErrorSchema, IdempotencyKeySchema } from '../schemas';
import { DeleteImageQuery, ImageParams, OperationAcceptedSchema } from './images.schemas';
import { requireImageName } from '../image-names';
import { publicText } from '../../domain/public-text';

const IdempotencyHeaders = z.object({ 'idempotency-key': IdempotencyKeySchema.optional() });

const accepted = (workflowId: string) => ({ id: workflowId, workflowId, statusUrl: `/v1/operations/${workflowId}` });

/** "servers i-1, i-2 were launched from it and images a, b name it as their parent": other groups' only counted. */
function dependentsText(dependents: ImageDependents, mayName: (group: string | undefined) => boolean): string {
  const list = (ids: string[], one: string, many: string) => {
    const named = ids.filter((id) => mayName(dependents.groups[id]));
    const others = ids.length - named.length;
    const text = [...named, ...(others ? [`${others} of other groups`] : [])].join(', ');
    return `${ids.length === 1 ? one : many} ${text}`;
  };
  const { serverIds, childImageIds } = dependents;
  const parts = [
    ...(serverIds.length
      ? [
          `${list(serverIds, 'server', 'servers')} (not terminated) ${serverIds.length === 1 ? 'was' : 'were'} launched from it`,
        ]
      : []),
    ...(childImageIds.length ? [`${list(childImageIds, 'image', 'images')} name it as their parent`] : []),
  ];
  return parts.join(' and ');
}

// Image work that takes minutes runs as workflows: capture, clone and delete answer 202 with an operation to poll.
export const imageOperationRoutes: FastifyPluginAsyncZod = async (app) => {
  const { provider, client, config, images, billing } = app.deps;
  const errors = { 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 503: ErrorSchema };
  const taskQueue = config.TEMPORAL_TASK_QUEUE;

  app.post(
    '/v1/images',
    {
      config: { access: 'operate' },
      schema: {
        tags: ['images'],
        summary: 'Capture an image from a running or stopped server (with reboot: stopped first, started again after)',
        description:
          'Starts the captureImage workflow (202). A repeated request with the same Idempotency-Key answers 200 with the same operation.',
        headers: IdempotencyHeaders,
        body: CaptureRequestSchema,
        response: { 200: OperationAcceptedSchema, 202: OperationAcceptedSchema, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      await requireImageName(provider, body.region, body.name, 'body.name');
      const server = await provider.getServer(body.region, body.serverId).catch(orNotFound(`server ${body.serverId}`)); // 404 before starting anything
      requireVisible(request.principal, server.tags.group, `server ${server.id}`);
      const key = request.headers['idempotency-key'];
      const workflowId = captureWorkflowId(key ?? randomUUID());
      const { created } = await startOperation(client, {
        workflowType: 'captureImage',
        workflowId,
        taskQueue,
        request: body,
        idempotencyKey: key,
        ...(server.tags.group ? { group: server.tags.group } : {}),
        summary: `Capture ${body.name} from ${body.serverId} in ${body.region}${body.reboot ? ', rebooting it' : ''}`,
      });
      images.invalidate();
      return reply
        .code(created ? 202 : 200)
        .header('location', accepted(workflowId).statusUrl)
        .send(accepted(workflowId));
    },
  );

  app.post(
    '/v1/images/:id/clone',
    {
      config: { access: 'operate' },
      schema: {
        tags: ['images'],
        summary:
          'Clone a template: launch a temporary server from the image, customise it, capture a private image, clean up',
        description:
          'Starts the cloneTemplate workflow (202). A repeated request with the same Idempotency-Key answers 200 with the same operation.',
        params: ImageParams,
        headers: IdempotencyHeaders,
        body: CloneRequestSchema,
        response: { 200: OperationAcceptedSchema, 202: OperationAcceptedSchema, 422: ErrorSchema, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      requireActsFor(request.principal, body.group, 'body.group');
      await requireImageName(provider, body.region, body.name, 'body.name');
      await visibleImage(request.principal, provider.getImage(body.region, request.params.id), request.params.id); // 404 before starting anything
      const key = request.headers['idempotency-key'];
      const workflowId = cloneWorkflowId(key ?? randomUUID());
      // The clone runs a temporary server (made by its child launch `launch-<clone id>`), charged to its billing code like a launch.
      const { created } = await billing.admit(body.group, body.billingCode, `launch-${workflowId}`, () =>
        startOperation(client, {
          workflowType: 'cloneTemplate',
          workflowId,
          taskQueue,
          request: { ...body, sourceImageId: request.params.id },
          idempotencyKey: key,
          summary: `Clone ${request.params.id} into ${body.name} in ${body.region}`,
          group: body.group,
          billingCode: body.billingCode,
        }),
      );
      images.invalidate();
      return reply
        .code(created ? 202 : 200)
        .header('location', accepted(workflowId).statusUrl)
        .send(accepted(workflowId));
    },
  );

  app.delete(
    '/v1/images/:id',
    {
      config: { access: 'operate' },
      schema: {
        tags: ['images'],
        summary:
          'Delete an own image; refused (409) while servers launched from it are not terminated or images name it as parent',
        description:
          'The check reads the cloud at the time of the request, never a cache. force=true skips it (admin only).',
        params: ImageParams,
        querystring: DeleteImageQuery,
        response: { 202: OperationAcceptedSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { region } = request.query;
      const imageId = request.params.id;
      const force = request.query.force === 'true';
      const image = await changeableImage(request.principal, provider.getImage(region, imageId), imageId, 'delete');
      if (force && request.principal.role !== 'admin') {
        throw new ApiError(
          403,
          'forbidden',
          `querystring.force: only an admin may skip the in-use check; ${request.principal.name} is ${request.principal.role === 'operator' ? 'an' : 'a'} ${request.principal.role}. Repeat without force=true`,
        );
      }
      if (!force) {
        const dependents = await imageDependents(provider, region, imageId);
        if (dependents.serverIds.length || dependents.childImageIds.length) {
          const mayName = (group: string | undefined) => actsFor(request.principal, group);
          throw new ApiError(
            409,
            'image_in_use',
            `image ${imageId} is in use: ${dependentsText(dependents, mayName)}; terminate those servers (DELETE /v1/servers/:id) and delete those images first, or ask an admin to repeat with force=true`,
          );
        }
      }
      const workflowId = deleteImageWorkflowId(imageId);
      const input: DeleteImageRequest = { region, imageId, force };
      await client.workflow.start('deleteImage', {
        workflowId,
        taskQueue,
        args: [input],
        // A second DELETE while one runs joins it.
        workflowIdConflictPolicy: 'USE_EXISTING',
        ...(image.tags.group ? { typedSearchAttributes: [{ key: Group, value: image.tags.group }] } : {}),
        staticSummary: publicText(`Delete image ${imageId} in ${region}${force ? ', forced' : ''}`),
      });
      images.invalidate();
      return reply.code(202).header('location', accepted(workflowId).statusUrl).send(accepted(workflowId));
    },
  );
};
