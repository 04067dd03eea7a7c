import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { RESERVED_LABELS, launchWorkflowId } from '../../domain/launch';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LaunchRequestSchema } from '../../domain/launch-request';
import { secretRefs } from '../../secrets/key-store';
import { requireLaunchable } from '../auth/launch-scope';
import { requireFeasibleLaunch } from '../launch-checks';
import { requireActsFor, visibleGroups } from '../auth/scope';
import { ApiError, notFound } from '../errors';
import { listLaunches } from '../launch-list';
import { ErrorSchema, IdempotencyKeySchema } from '../schemas';
import {
  LaunchAcceptedSchema,
  LaunchIdParams,
  LaunchListQuery,
  LaunchListSchema,
  LaunchViewSchema,
  type LaunchView,
} from './launches.schemas';

export const launchRoutes: FastifyPluginAsyncZod = async (app) => {
  const { launches, client, keys, billing, provider, images, catalog } = app.deps;
  const errors = { 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 503: ErrorSchema };

  /** The workflow knows it made a key pair; the key store knows whether its private key is still there to fetch. */
  const withKeyState = async (view: LaunchView): Promise<LaunchView> => {
    if (!view.privateKeyAvailable) return view;
    return { ...view, privateKeyAvailable: (await keys.status(secretRefs.privateKey(view.id))) === 'stored' };
  };

  app.post(
    '/v1/launches',
    {
      config: { access: 'operate' },
      schema: {
        tags: ['launches'],
        summary: 'Launch a server from an image',
        description:
          'Starts the durable launch workflow (202). A repeated request with the same Idempotency-Key answers 200 with the same launch. ' +
          'The caller must act for `group`, and `billingCode` must be an active code the group may use with room in its hard quota (422 otherwise); ' +
          'over the soft quota the launch is accepted with a warning.',
        headers: z.object({ 'idempotency-key': IdempotencyKeySchema.optional() }),
        body: LaunchRequestSchema,
        response: {
          200: LaunchAcceptedSchema,
          202: LaunchAcceptedSchema,
          413: ErrorSchema,
          422: ErrorSchema,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { body, principal } = request;
      const reserved = Object.keys(body.labels ?? {}).find((key) => RESERVED_LABELS.includes(key));
      if (reserved)
        throw new ApiError(
          400,
          'invalid_request',
          `body.labels.${reserved}: the service sets this tag itself; choose another label key`,
        );
      requireActsFor(principal, body.group, 'body.group');
      await requireFeasibleLaunch(catalog, body);
      await requireLaunchable(principal, provider, images, body);
      const key = request.headers['idempotency-key'];
      const workflowId = launchWorkflowId(key ?? randomUUID());
      const { id, created, status, warnings } = await billing.admit(
        body.group,
        body.billingCode,
        workflowId,
        async (warnings) => ({
          ...(await launches.start(
            body,
            key,
            { startedBy: principal.name, ...(warnings.length ? { warnings } : {}) },
            workflowId,
          )),
          warnings,
        }),
      );
      const statusUrl = `/v1/launches/${id}`;
      // 202 for a new launch; 200 when the key names one that exists, with its status as it is now.
      return reply
        .code(created ? 202 : 200)
        .header('location', statusUrl)
        .send({ id, workflowId: id, status, statusUrl, ...(warnings.length ? { warnings } : {}) });
    },
  );

  app.get(
    '/v1/launches',
    {
      config: { access: 'read' },
      schema: {
        tags: ['launches'],
        summary: 'Launches, newest first, filtered by billing code, group, image or state; paged with cursor',
        querystring: LaunchListQuery,
        response: { 200: LaunchListSchema, ...errors },
      },
    },
    async (request) => listLaunches(client, { ...request.query, groups: visibleGroups(request.principal) }),
  );

  app.get(
    '/v1/launches/:id',
    {
      config: { access: 'read' },
      schema: {
        tags: ['launches'],
        summary:
          'A launch: its steps while it runs, its result when it is done, and its workflow in the Temporal Web UI',
        params: LaunchIdParams,
        response: { 200: LaunchViewSchema, ...errors },
      },
    },
    async (request) => withKeyState(await launches.get(request.params.id, request.principal)),
  );

  app.post(
    '/v1/launches/:id/cancel',
    {
      config: { access: 'operate' },
      schema: {
        tags: ['launches'],
        summary: 'Cancel a launch: it stops, and everything it created is removed',
        description:
          'A stuck launch (its workflow task keeps failing) cannot run its undo: the cancel is recorded, and unless it recovers by `terminateAfter` ' +
          '(STUCK_CANCEL_GRACE_SECONDS) it is terminated, and the reaper removes what it made.',
        params: LaunchIdParams,
        response: {
          202: z.object({
            id: z.string(),
            status: z.enum(['cancelling', 'terminated']),
            statusUrl: z.string(),
            terminateAfter: z.string().optional(),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const cancelled = await launches.cancel(request.params.id, request.principal);
      return reply
        .code(202)
        .send({ id: request.params.id, ...cancelled, statusUrl: `/v1/launches/${request.params.id}` });
    },
  );

  app.get(
    '/v1/launches/:id/private-key',
    {
      // A HEAD would run the handler too and use up the one fetch.
      exposeHeadRoute: false,
      config: { access: 'operate' },
      schema: {
        tags: ['launches'],
        summary: 'The private key of a key pair the launch created, as PEM, exactly once',
        params: LaunchIdParams,
        response: { 200: z.string().describe('the PEM text'), 404: ErrorSchema, 410: ErrorSchema, 400: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const launch = await launches.get(id, request.principal);
      if (!launch.privateKeyAvailable)
        throw notFound(`a private key for launch ${id} (it did not create a key pair, or has not yet)`);
      const pem = await keys.takeOnce(secretRefs.privateKey(id));
      if (pem === undefined) {
        throw new ApiError(
          410,
          'gone',
          `the key pair launch ${id} created was deleted with its server, and its private key with it; launch again for a new one`,
        );
      }
      if (pem === 'taken')
        throw new ApiError(
          410,
          'gone',
          `the private key of launch ${id} was already fetched; it is handed out once. Import a key pair of your own if it is lost`,
        );
      return reply
        .code(200)
        .header('content-type', 'application/x-pem-file')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${launch.keypairName ?? id}.pem"`)
        .serializer((body: unknown) => String(body)) // the PEM as it is, not as a JSON string
        .send(pem);
    },
  );
};
