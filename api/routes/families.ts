import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { familyVersions } from '../../providers/family-versions';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApplicationFailure, TimeoutFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import {
  FamilySchema,
  refreshWorkflowId,
  type Family,
  type FamilyVersion,
  type RefreshInput,
  type RefreshReport,
} from '../../domain/families';
import { ImageFamily } from '../../domain/search-attributes';
import type { CloudProvider } from '../../providers/cloud-provider';
import { ApiError } from '../errors';
import { failureOf } from '../failures';
import {
  createFamilySchedule,
  definitionOf,
  deleteFamilySchedule,
  getFamily,
  listFamilies,
  updateFamilySchedule,
} from '../schedules';
import { ErrorSchema } from '../schemas';
import { statusOfName } from '../workflow-status';
import { OperationAcceptedSchema } from './images.schemas';
import {
  FamilyParams,
  FamilyPatchSchema,
  FamilyRunSchema,
  FamilyVersionSchema,
  FamilyViewSchema,
  RefreshQuery,
  RefreshReportSchema,
  VersionsQuery,
  type FamilyPatch,
} from './families.schemas';
import { publicText } from '../../domain/public-text';

const RUNS_SHOWN = 20;

/** The current definition with a PATCH applied; the result is checked as a whole, as a POST would be. */
function amended(current: Family, patch: FamilyPatch): Family {
  if (patch.name !== undefined && patch.name !== current.name) {
    throw new ApiError(
      400,
      'invalid_request',
      `body.name: a family's name cannot change; create "${patch.name}" with POST /v1/families and delete "${current.name}"`,
    );
  }
  const { source, retention, schedule, ...top } = patch;
  const currentSchedule = { ...current.schedule };
  // Switching between cron and every: the one given replaces the other.
  if (schedule?.cron !== undefined) delete currentSchedule.every;
  if (schedule?.every !== undefined) delete currentSchedule.cron;
  const merged = FamilySchema.safeParse({
    ...current,
    ...top,
    source: { ...current.source, ...source },
    retention: { ...current.retention, ...retention },
    schedule: { ...currentSchedule, ...schedule },
  });
  if (!merged.success) {
    const problems = merged.error.issues.map(
      (issue) => `body${issue.path.map((p) => `.${String(p)}`).join('')}: ${issue.message}`,
    );
    throw new ApiError(400, 'invalid_request', problems.join('; '));
  }
  return merged.data;
}

/** A family's regions are the cloud's: a typo would otherwise show only when its first run fails (and pauses it). */
async function requireRegions(provider: CloudProvider, family: Family): Promise<void> {
  const known = await provider.listRegions();
  const unknown = family.regions.filter((region) => !known.includes(region));
  if (unknown.length) {
    throw new ApiError(
      400,
      'invalid_request',
      `body.regions: ${unknown.map((r) => JSON.stringify(r)).join(', ')} ${unknown.length === 1 ? 'is not a region' : 'are not regions'} of ${provider.name}; choose from ${known.join(', ')} (GET /v1/regions)`,
    );
  }
}

/** The family's own images across its regions, newest first. */
async function versionsOf(provider: CloudProvider, regions: string[], name: string): Promise<FamilyVersion[]> {
  const perRegion = await Promise.all(regions.map((region) => familyVersions(provider, region, name)));
  return perRegion
    .flat()
    .sort(
      (a, b) =>
        b.createdAt.localeCompare(a.createdAt) || b.version.localeCompare(a.version, undefined, { numeric: true }),
    );
}

/** Recent refreshes of one family from visibility, with each closed run's report or error. */
async function familyRuns(client: Client, name: string): Promise<z.input<typeof FamilyRunSchema>[]> {
  const runs = [];
  for await (const run of client.workflow.list({
    query: `WorkflowType = 'refreshImageFamily' AND ImageFamily = '${name}'`,
    pageSize: RUNS_SHOWN,
  })) {
    runs.push(run);
    if (runs.length === RUNS_SHOWN) break;
  }
  return Promise.all(
    runs.map(async (run) => {
      const status = statusOfName(run.status.name);
      const handle = client.workflow.getHandle(run.workflowId, run.runId);
      const base = {
        workflowId: run.workflowId,
        runId: run.runId,
        status,
        dryRun: run.workflowId.startsWith(refreshWorkflowId(name, 'dry-')),
        startedAt: run.startTime.toISOString(),
        ...(run.closeTime ? { closedAt: run.closeTime.toISOString() } : {}),
      };
      if (status === 'completed') return { ...base, report: (await handle.result()) as RefreshReport };
      if (status === 'failed') {
        const error = await failureOf(handle.result());
        return { ...base, ...(error ? { error } : {}) };
      }
      return base;
    }),
  );
}

// Template families: definitions kept as Temporal Schedules that run refreshImageFamily; their versions and runs.
export const familyRoutes: FastifyPluginAsyncZod = async (app) => {
  const { client, config, provider } = app.deps;
  const taskQueue = config.TEMPORAL_TASK_QUEUE;
  const errors = { 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 503: ErrorSchema };
  const tags = ['families'];

  app.get(
    '/v1/families',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'Every family with its schedule: paused or not, and the next run',
        response: { 200: z.object({ items: z.array(FamilyViewSchema) }), ...errors },
      },
    },
    async () => ({ items: await listFamilies(client) }),
  );

  app.get(
    '/v1/families/:name',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'One family with its schedule',
        params: FamilyParams,
        response: { 200: FamilyViewSchema, ...errors },
      },
    },
    async (request) => getFamily(client, request.params.name),
  );

  app.post(
    '/v1/families',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary:
          'Define a family and create its schedule (a Temporal Schedule running refreshImageFamily; overlapping runs are skipped)',
        body: FamilySchema,
        response: { 201: FamilyViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      await requireRegions(provider, request.body);
      await createFamilySchedule(client, taskQueue, request.body);
      return reply
        .code(201)
        .header('location', `/v1/families/${request.body.name}`)
        .send(await getFamily(client, request.body.name));
    },
  );

  app.patch(
    '/v1/families/:name',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary:
          'Change a family: its definition and schedule (pause or resume with {schedule: {paused}}); the name cannot change',
        params: FamilyParams,
        body: FamilyPatchSchema,
        response: { 200: FamilyViewSchema, ...errors },
      },
    },
    async (request) => {
      const family = amended(definitionOf(await getFamily(client, request.params.name)), request.body);
      await requireRegions(provider, family);
      await updateFamilySchedule(client, taskQueue, family);
      return getFamily(client, family.name);
    },
  );

  app.delete(
    '/v1/families/:name',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: "Delete a family's definition and schedule; its images stay",
        params: FamilyParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await deleteFamilySchedule(client, request.params.name);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/families/:name/refresh',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary:
          'Refresh a family now: with dryRun=true the plan (changing nothing), otherwise a real run to follow at statusUrl',
        description:
          'force=true builds a new version even when the current one was built from the newest source image. ' +
          "A dry run answers its plan (200) also when a region would fail, with the reason in that region's errors.",
        params: FamilyParams,
        querystring: RefreshQuery,
        response: {
          200: RefreshReportSchema,
          202: OperationAcceptedSchema,
          ...errors,
          502: ErrorSchema,
          504: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const family = definitionOf(await getFamily(client, request.params.name));
      const dryRun = request.query.dryRun === 'true';
      const input: RefreshInput = { family, dryRun, force: request.query.force === 'true' };
      if (dryRun) return reply.code(200).send(await dryRunPlan(client, taskQueue, input));
      // As the schedule's overlap policy would: one real refresh of a family at a time (versions would collide).
      let running = 0;
      for await (const run of client.workflow.list({
        query: `WorkflowType = 'refreshImageFamily' AND ImageFamily = '${family.name}' AND ExecutionStatus = 'Running'`,
      })) {
        if (!run.workflowId.startsWith(refreshWorkflowId(family.name, 'dry-'))) running += 1;
      }
      if (running > 0)
        throw new ApiError(
          409,
          'refresh_running',
          `a refresh of ${family.name} is already running; follow it at GET /v1/families/${family.name}/runs`,
        );
      const workflowId = refreshWorkflowId(family.name, randomUUID());
      await client.workflow.start('refreshImageFamily', {
        taskQueue,
        args: [input],
        typedSearchAttributes: [{ key: ImageFamily, value: family.name }],
        workflowId,
        staticSummary: publicText(`Refresh image family ${family.name}${input.force ? ', forced' : ''}`),
      });
      const statusUrl = `/v1/operations/${workflowId}`;
      return reply.code(202).header('location', statusUrl).send({ id: workflowId, workflowId, statusUrl });
    },
  );

  app.get(
    '/v1/families/:name/versions',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: "The family's versions: own images tagged with it, newest first",
        params: FamilyParams,
        querystring: VersionsQuery,
        response: { 200: z.object({ items: z.array(FamilyVersionSchema) }), ...errors },
      },
    },
    async (request) => {
      const family = await getFamily(client, request.params.name);
      return {
        items: await versionsOf(provider, request.query.region ? [request.query.region] : family.regions, family.name),
      };
    },
  );

  app.get(
    '/v1/families/:name/runs',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: `The family's ${RUNS_SHOWN} most recent refreshes (scheduled, manual and dry runs), with each finished run's report or error`,
        params: FamilyParams,
        response: { 200: z.object({ items: z.array(FamilyRunSchema) }), ...errors },
      },
    },
    async (request) => {
      await getFamily(client, request.params.name);
      return { items: await familyRuns(client, request.params.name) };
    },
  );
};

/** Runs a dry run to its end, bounded by a minute: its plan, failing regions included; otherwise 502 or 504. */
async function dryRunPlan(client: Client, taskQueue: string, input: RefreshInput): Promise<RefreshReport> {
  const { name } = input.family;
  try {
    return await client.workflow.execute<(input: RefreshInput) => Promise<RefreshReport>>('refreshImageFamily', {
      taskQueue,
      args: [input],
      typedSearchAttributes: [{ key: ImageFamily, value: name }],
      workflowId: refreshWorkflowId(name, `dry-${randomUUID()}`),
      workflowExecutionTimeout: '1 minute',
      staticSummary: publicText(`Dry run: plan the refresh of image family ${name}`),
    });
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    if (err.cause instanceof TimeoutFailure) {
      throw new ApiError(
        504,
        'dry_run_timed_out',
        `the dry run of family "${name}" did not finish within a minute; check that a worker polls task queue ${taskQueue} (GET /v1/ready)`,
      );
    }
    // Failed in its regions (no source image, a region gone): the plan it carries says where and why, as a plan should.
    if (err.cause instanceof ApplicationFailure && err.cause.type === 'RefreshFailed' && err.cause.details?.[0])
      return err.cause.details[0] as RefreshReport;
    const failure = await failureOf(Promise.reject(err));
    throw new ApiError(
      502,
      'dry_run_failed',
      `the dry run of family "${name}" failed: ${failure?.message ?? err.message}`,
    );
  }
}
