import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import proto from '@temporalio/proto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WatchedFileStatus } from '../config/watched-file';
import { familyScheduleId } from '../domain/families';
import { LAUNCH_PHASE } from '../domain/launch';
import { isFreshPoller } from './readiness';
import { PAUSED_BY_DEFINITION } from './schedules';

/** Running workflows Temporal reports as failing their workflow tasks over and over (the Web UI's "task failures"). */
const stuckQuery = (taskQueue: string) =>
  `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running' AND TemporalReportedProblems IS NOT NULL`;
/** Listed per scrape at most: past this the figure is a floor, and the alert has long fired. */
const MAX_STUCK_LISTED = 1000;
/** Shown at 0 when none is stuck, so an alert's series exists from the start. */
const STUCK_TYPES = [
  'launchServer',
  'terminateServer',
  'changeServerPower',
  'captureImage',
  'cloneTemplate',
  'deleteImage',
  'refreshImageFamily',
  'reapOrphans',
  'endStuck',
  'quotaLedger',
  'consoleSessions',
];

const { TaskQueueType } = proto.temporal.api.enums.v1;
const POLLED = { workflow: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, activity: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY };

/** Longer than any launch may run: readyTimeout is at most 2 hours from provisioning; 30 min for preflight and undo. */
const LAUNCH_OVERDUE_SECONDS = 2 * 3600 + 30 * 60;

/** The values the LaunchStep search attribute takes: one per phase. */
const PHASES = [...new Set(Object.values(LAUNCH_PHASE))];

// What the benchmarks measure, the API exposes for Prometheus at /metrics: request durations by route, launch
// admissions by outcome, launches by status, running launches by phase, overdue launches, stuck workflows by type,
// paused families and the task queue's live pollers (read from Temporal at each scrape). No label holds a
// group, billing code or id: the figures are safe for any reader, and their cardinality stays small.

export class ApiMetrics {
  readonly registry = new Registry();
  readonly requestSeconds = new Histogram({
    name: 'machine_images_http_request_duration_seconds',
    help: 'API request durations, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly launchAdmissions = new Counter({
    name: 'machine_images_launch_admissions_total',
    help: 'POST /v1/launches answers: accepted (202), replayed (200, same Idempotency-Key), or refused with their code',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  /**
   * The task queue names this service's workflows, in a namespace that other applications may share; `files` are the
   * configuration files the API reads again when they change.
   */
  constructor(client: Client, taskQueue: string, files: readonly WatchedFileStatus[] = []) {
    collectDefaultMetrics({ register: this.registry, prefix: 'machine_images_api_' });
    new Gauge({
      name: 'machine_images_config_file_applied',
      help:
        'Whether the configuration file as it is now on disk is in force (1), or was refused as invalid (0: the last ' +
        'good version stays in force and the API logs why), by the variable that names it',
      labelNames: ['variable'] as const,
      registers: [this.registry],
      collect() {
        for (const file of files) this.set({ variable: file.variable }, file.problem === undefined ? 1 : 0);
      },
    });
    new Gauge({
      name: 'machine_images_launches',
      help: 'Launch workflows by execution status, from Temporal visibility at scrape time',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        const { groups } = await client.workflow.count("WorkflowType = 'launchServer' GROUP BY ExecutionStatus");
        this.reset();
        for (const group of groups) this.set({ status: String(group.groupValues[0] ?? 'unknown') }, group.count);
      },
    });
    new Gauge({
      name: 'machine_images_launches_running',
      help: 'Running launches by the phase they are in (the LaunchStep search attribute), from Temporal visibility at scrape time',
      labelNames: ['step'] as const,
      registers: [this.registry],
      // Visibility groups only by ExecutionStatus, so one count per phase: five small queries per scrape.
      async collect() {
        const counts = await Promise.all(
          PHASES.map((step) =>
            client.workflow.count(
              `WorkflowType = 'launchServer' AND ExecutionStatus = 'Running' AND LaunchStep = '${step}'`,
            ),
          ),
        );
        PHASES.forEach((step, i) => this.set({ step }, counts[i]!.count));
      },
    });
    new Gauge({
      name: 'machine_images_workflows_stuck',
      help:
        'Running workflows whose workflow task keeps failing (payload too large, nondeterminism, a bug), by workflow type: ' +
        'those Temporal marks with TemporalReportedProblems, from visibility at scrape time',
      labelNames: ['workflow_type'] as const,
      registers: [this.registry],
      async collect() {
        // Few by nature, and visibility groups only by status: list them (up to a bound) and count by type.
        const counts = new Map<string, number>();
        let seen = 0;
        for await (const workflow of client.workflow.list({ query: stuckQuery(taskQueue), pageSize: 200 })) {
          counts.set(workflow.type, (counts.get(workflow.type) ?? 0) + 1);
          if (++seen >= MAX_STUCK_LISTED) break;
        }
        this.reset();
        for (const type of STUCK_TYPES) this.set({ workflow_type: type }, 0);
        // Only the service's own types: a label per type, never one per whatever else shares the queue.
        for (const [type, count] of counts) if (STUCK_TYPES.includes(type)) this.set({ workflow_type: type }, count);
      },
    });
    new Gauge({
      name: 'machine_images_launches_overdue',
      help:
        `Launches still running ${LAUNCH_OVERDUE_SECONDS / 60} min after they started, longer than any deadline allows ` +
        '(readyTimeout is at most 2 hours): their workflow cannot act (stuck, or no worker) or their undo cannot finish',
      registers: [this.registry],
      async collect() {
        const before = new Date(Date.now() - LAUNCH_OVERDUE_SECONDS * 1000).toISOString();
        const { count } = await client.workflow.count(
          `WorkflowType = 'launchServer' AND ExecutionStatus = 'Running' AND StartTime < '${before}'`,
        );
        this.set(count);
      },
    });
    new Gauge({
      name: 'machine_images_families_paused',
      help:
        "Image families whose refresh schedule is paused: by their definition, or otherwise (a failed run's " +
        'pause-on-failure, or by hand in the Web UI or CLI), from the schedule list at scrape time',
      labelNames: ['reason'] as const,
      registers: [this.registry],
      async collect() {
        const paused = { definition: 0, other: 0 };
        for await (const schedule of client.schedule.list()) {
          if (!schedule.scheduleId.startsWith(familyScheduleId('')) || !schedule.state.paused) continue;
          paused[schedule.state.note === PAUSED_BY_DEFINITION ? 'definition' : 'other'] += 1;
        }
        for (const [reason, count] of Object.entries(paused)) this.set({ reason }, count);
      },
    });
    new Gauge({
      name: 'machine_images_task_queue_pollers',
      help:
        'Workers polling the task queue, by its workflow and activity side: pollers Temporal saw in the last 90 s ' +
        '(DescribeTaskQueue, as /v1/ready reads it); 0 on either side and nothing moves',
      labelNames: ['task_type'] as const,
      registers: [this.registry],
      async collect() {
        const { namespace } = client.options;
        await Promise.all(
          Object.entries(POLLED).map(async ([taskType, taskQueueType]) => {
            const { pollers } = await client.workflowService.describeTaskQueue({
              namespace,
              taskQueue: { name: taskQueue },
              taskQueueType,
            });
            const fresh = (pollers ?? []).filter(isFreshPoller);
            this.set({ task_type: taskType }, fresh.length);
          }),
        );
      },
    });
  }
}

/** Times every request, and serves /metrics (for readers: the figures name no group). */
export function registerMetrics(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    metrics.requestSeconds.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    if (route === '/v1/launches' && request.method === 'POST') {
      const outcome =
        reply.statusCode === 202 ? 'accepted' : reply.statusCode === 200 ? 'replayed' : `refused_${reply.statusCode}`;
      metrics.launchAdmissions.inc({ outcome });
    }
  });
  app.get('/metrics', { config: { access: 'read' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
