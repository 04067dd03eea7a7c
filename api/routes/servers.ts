import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { TerminateServerInput } from '../../workflows/terminate-server';
import {
  DEFAULT_POWER_TIMEOUT,
  MAX_POWER_TIMEOUT,
  POWER_ACTIONS,
  powerWorkflowId,
  type PowerAction,
  type ServerPowerInput,
} from '../../domain/server-power';
import type { Principal } from '../../domain/access';
import type { Server } from '../../domain/server';
import { ApiError } from '../errors';
import { Group } from '../../domain/search-attributes';
import { orNotFound, requireVisible } from '../auth/scope';
import { ErrorSchema } from '../schemas';
import { listServers } from '../server-list';
import { RegionQuery } from './catalog.schemas';
import { publicText } from '../../domain/public-text';

const ServerSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.enum(['pending', 'running', 'stopping', 'stopped', 'terminated', 'error', 'unknown']),
  imageId: z.string(),
  productId: z.string(),
  zone: z.string(),
  publicIp: z.string().optional(),
  privateIp: z.string().optional(),
  createdAt: z.string(),
  firewallIds: z.array(z.string()),
  keypairName: z.string().optional(),
  tags: z.record(z.string(), z.string()),
});

const POWER_SUMMARIES: Record<PowerAction, string> = {
  stop: 'Stop a server and wait until it is stopped (its volumes and addresses are kept)',
  start: 'Start a stopped server and wait until it is running',
  reboot: 'Reboot a running server and wait until it is back, with its status checks passed',
};

const ServerParams = z.object({
  id: z
    .string()
    .max(128)
    .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'a server id as GET /v1/servers lists them'),
});

export const serverRoutes: FastifyPluginAsyncZod = async (app) => {
  const { provider, client, config } = app.deps;
  const errors = { 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 503: ErrorSchema };

  /** The server, or 404 before anything starts; one of a group the caller does not act for answers 404 too. */
  async function visibleServer(principal: Principal, region: string, id: string): Promise<Server> {
    const server = await provider.getServer(region, id).catch(orNotFound(`server ${id}`));
    requireVisible(principal, server.tags.group, `server ${server.id}`);
    return server;
  }

  /**
   * Starts the workflow of an operation on a server, in the server's group; a second request while it runs joins
   * it (and once it has closed, doing it again is harmless). Answers what the 202 carries.
   */
  async function startOnServer(
    server: Server,
    workflowType: 'terminateServer' | 'changeServerPower',
    workflowId: string,
    input: TerminateServerInput | ServerPowerInput,
    { summary }: { summary: string },
  ) {
    await client.workflow.start(workflowType, {
      workflowId,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      ...(server.tags.group ? { typedSearchAttributes: [{ key: Group, value: server.tags.group }] } : {}),
      staticSummary: publicText(summary),
    });
    return { id: workflowId, workflowId, statusUrl: `/v1/operations/${workflowId}` };
  }

  app.get(
    '/v1/servers',
    {
      config: { access: 'read' },
      schema: {
        tags: ['servers'],
        summary:
          'Servers of the caller’s groups, newest first, in every region unless one is named; filtered by state, image, group, billing code or name; paged with cursor',
        querystring: z.object({
          region: z.string().min(1).max(64).optional().describe('unset: every region'),
          state: ServerSchema.shape.state.optional(),
          imageId: z.string().max(128).optional(),
          group: z.string().max(64).optional(),
          billingCode: z.string().max(64).optional(),
          name: z.string().max(255).optional().describe('part of the name, any case'),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.string().max(512).optional().describe('nextCursor of the page before'),
        }),
        response: {
          200: z.object({
            items: z.array(
              ServerSchema.extend({
                region: z.string(),
                launchId: z.string().optional().describe('the launch that made it, when this service did'),
                launchUrl: z.string().optional(),
              }),
            ),
            nextCursor: z.string().optional(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { region, state, imageId, group, billingCode, name, limit, cursor } = request.query;
      return listServers(provider, request.principal, {
        limit,
        ...(region ? { region } : {}),
        ...(state ? { state } : {}),
        ...(imageId ? { imageId } : {}),
        ...(group ? { group } : {}),
        ...(billingCode ? { billingCode } : {}),
        ...(name ? { name } : {}),
        ...(cursor ? { cursor } : {}),
      });
    },
  );

  app.get(
    '/v1/servers/:id',
    {
      config: { access: 'read' },
      schema: {
        tags: ['servers'],
        summary: 'One server',
        params: ServerParams,
        querystring: RegionQuery,
        response: { 200: ServerSchema, ...errors },
      },
    },
    async (request) => {
      const server = await provider
        .getServer(request.query.region, request.params.id)
        .catch(orNotFound(`server ${request.params.id}`));
      requireVisible(request.principal, server.tags.group, `server ${server.id}`);
      return server;
    },
  );

  // Stop, start and reboot: a workflow each, reported by GET /v1/operations/:id; a second request while one runs joins it.
  for (const action of POWER_ACTIONS) {
    app.post(
      `/v1/servers/:id/${action}`,
      {
        config: { access: 'operate' },
        schema: {
          tags: ['servers'],
          summary: POWER_SUMMARIES[action],
          params: ServerParams,
          querystring: RegionQuery.extend({
            timeout: z.coerce
              .number()
              .int()
              .min(10)
              .max(MAX_POWER_TIMEOUT)
              .default(DEFAULT_POWER_TIMEOUT)
              .describe('seconds the server has to get there before the operation fails, naming its state'),
          }),
          response: { 202: z.object({ id: z.string(), workflowId: z.string(), statusUrl: z.string() }), ...errors },
        },
      },
      async (request, reply) => {
        const { region, timeout } = request.query;
        const server = await visibleServer(request.principal, region, request.params.id);
        if (
          server.state === 'terminated' ||
          server.state === 'error' ||
          (action === 'reboot' && server.state !== 'running')
        )
          throw new ApiError(
            409,
            'conflict',
            `server ${server.id} is ${server.state}; it cannot ${action}${action === 'reboot' ? ' (only a running server reboots; start it instead)' : ''}`,
          );
        const input: ServerPowerInput = { region, serverId: server.id, action, timeoutSeconds: timeout };
        const started = await startOnServer(server, 'changeServerPower', powerWorkflowId(action, server.id), input, {
          summary: `${action[0]!.toUpperCase()}${action.slice(1)} ${server.id} in ${region}`,
        });
        return reply.code(202).header('location', started.statusUrl).send(started);
      },
    );
  }

  app.delete(
    '/v1/servers/:id',
    {
      config: { access: 'operate' },
      schema: {
        tags: ['servers'],
        summary: 'Terminate a server, deleting the data volumes its launch made unless keepVolumes=true',
        params: ServerParams,
        querystring: RegionQuery.extend({ keepVolumes: z.enum(['true', 'false']).default('false') }),
        response: { 202: z.object({ id: z.string(), workflowId: z.string(), statusUrl: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      const { region, keepVolumes } = request.query;
      const server = await visibleServer(request.principal, region, request.params.id);
      const input: TerminateServerInput = { region, serverId: server.id, keepVolumes: keepVolumes === 'true' };
      const started = await startOnServer(server, 'terminateServer', `terminate-${server.id}`, input, {
        summary: `Terminate ${server.id} in ${region}${keepVolumes === 'true' ? ', keeping its volumes' : ''}`,
      });
      return reply.code(202).header('location', started.statusUrl).send(started);
    },
  );
};
