import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { NativeConnection, Runtime, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec, WorkerDeploymentVersion } from '@temporalio/common';
import { createActivities, type ActivityDeps } from '../activities';
import { ReadyWaits } from '../activities/ready-waits';
import { StatusCoalescer } from '../activities/status-coalescer';
import { temporalWorkflowStatus } from '../activities/workflow-status';
import { CallBudget, EC2_READ_BUDGET, withCallBudget } from '../providers/call-budget';
import { withCallSpans } from '../providers/call-spans';
import { withStepSpans } from '../guest/step-spans';
import { cloudCallMetrics } from './cloud-call-metrics';
import type { Config } from '../config/config';
import { temporalEndpoint, type TemporalEndpoint } from '../config/temporal-settings';
import { isTracing } from '../config/tracing';
import { promoteVersion, workflowCodeBuildId } from './deployment-version';
import { activityTracing, workflowSpanSinks } from './tracing';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Bundled with the workflows wherever they are bundled (the worker, `npm run workflows:bundle`, the benches). */
export const WORKFLOW_INTERCEPTOR_MODULES = [
  fileURLToPath(new URL('../workflows/interceptors.ts', import.meta.url)),
  // Spans for workflows started with a trace context; inert in the others, so every bundle carries it.
  fileURLToPath(new URL('../workflows/tracing.ts', import.meta.url)),
];

/**
 * 1,000 launches per worker, or what the heap holds by the SDK's own reckoning (about 1.7 MiB a workflow, more than
 * the 0.32–0.38 MiB measured) where that is fewer: a worker in a small container evicts rather than runs out. A
 * launch waiting for readiness needs no place in the cache (its wait is followed outside it, and reads of it are
 * answered from the wait's heartbeat), so the cache is for launches taking steps, and it stays small.
 */
export function defaultCachedWorkflows(heapLimitMiB = getHeapStatistics().heap_size_limit / 2 ** 20): number {
  return Math.min(1000, Math.max(Math.floor((Math.max(heapLimitMiB - 200, 0) * 600) / 1024), 10));
}

export interface WorkerDeps extends ActivityDeps {
  config: Pick<Config, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE'> &
    Partial<
      Pick<
        Config,
        | 'WORKER_MAX_CACHED_WORKFLOWS'
        | 'WORKER_DEPLOYMENT_NAME'
        | 'WORKER_BUILD_ID'
        | 'WORKER_VERSION_PROMOTE'
        | 'CLOUD_CALL_RATE'
        | 'CLOUD_CALL_BURST'
      >
    >;
  /** Where the worker says what it did about its deployment version; unset: nowhere. */
  say?: (message: string) => void;
  connection: NativeConnection;
  /** A prebuilt bundle (tests build one per file); otherwise the worker bundles workflows/ itself. */
  workflowBundle?: WorkflowBundleOption;
  /** Bundle this entry instead of workflows/index.ts (a test's changed copy of the workflows). */
  workflowsPath?: string;
  /** The codecs every client of the service uses (encryption); the worker must share them to read its payloads. */
  payloadCodecs: PayloadCodec[];
}

/** The version this worker polls as, when Worker Deployment Versioning is on (WORKER_DEPLOYMENT_NAME). */
export function deploymentVersion(
  deps: Pick<WorkerDeps, 'config' | 'workflowBundle'>,
): WorkerDeploymentVersion | undefined {
  const deploymentName = deps.config.WORKER_DEPLOYMENT_NAME;
  if (!deploymentName) return undefined;
  const bundle = deps.workflowBundle && 'codePath' in deps.workflowBundle ? deps.workflowBundle.codePath : undefined;
  return { deploymentName, buildId: deps.config.WORKER_BUILD_ID ?? workflowCodeBuildId(bundle) };
}

export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  const version = deploymentVersion(deps);
  return Worker.create({
    connection: deps.connection,
    namespace: deps.config.TEMPORAL_NAMESPACE,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    ...(deps.workflowBundle
      ? { workflowBundle: deps.workflowBundle }
      : { workflowsPath: deps.workflowsPath ?? WORKFLOWS_PATH }),
    interceptors: {
      ...(deps.workflowBundle ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
      ...(isTracing() ? { activity: activityTracing() } : {}),
    },
    sinks: workflowSpanSinks(),
    activities: createActivities(deps),
    dataConverter: { payloadCodecs: deps.payloadCodecs },
    maxCachedWorkflows: deps.config.WORKER_MAX_CACHED_WORKFLOWS ?? defaultCachedWorkflows(),
    // Pinned: a workflow finishes on the version it started on, so a deploy never replays it on other code. The
    // few that live for ever (a quota ledger) say AUTO_UPGRADE themselves (setWorkflowOptions) and keep to patched().
    ...(version
      ? { workerDeploymentOptions: { useWorkerVersioning: true, version, defaultVersioningBehavior: 'PINNED' } }
      : {}),
  });
}

export interface RunningWorker {
  /** Settles when the worker has stopped; rejects if it failed. */
  running: Promise<void>;
  /** Drains: running activities finish, no new tasks are taken. */
  stop(): Promise<void>;
}

/** Connects, creates and runs the worker role; `stop()` drains it and closes its connection. */
export async function startWorker(
  deps: Omit<WorkerDeps, 'connection'> & { temporal: TemporalEndpoint },
): Promise<RunningWorker> {
  const endpoint = temporalEndpoint(deps.temporal);
  const connection = await NativeConnection.connect(endpoint);
  // A client of its own, for activities that ask Temporal about other workflows (the reaper).
  const clientConnection = await Connection.connect(endpoint).catch(async (err: unknown) => {
    await connection.close();
    throw err;
  });
  const client = new Client({
    connection: clientConnection,
    namespace: deps.config.TEMPORAL_NAMESPACE,
    dataConverter: { payloadCodecs: deps.payloadCodecs },
  });
  const workflows = temporalWorkflowStatus(client);
  // Every cloud call of this worker's activities within one budget, and readiness waits followed in one place.
  const metrics = cloudCallMetrics(Runtime.instance().metricMeter);
  // The cloud's own read rate (EC2's) unless the settings say otherwise; none for a cloud that meters nothing.
  const budget = new CallBudget(
    {
      ratePerSecond: deps.config.CLOUD_CALL_RATE ?? deps.provider.readBudget?.ratePerSecond ?? 0,
      burst: deps.config.CLOUD_CALL_BURST ?? deps.provider.readBudget?.burst ?? EC2_READ_BUDGET.burst,
      maxWaitMs: EC2_READ_BUDGET.maxWaitMs,
    },
    metrics,
  );
  const budgeted = withCallBudget(deps.provider, budget);
  // While tracing: a span for each cloud call (its wait for the budget included) and each guest step.
  const provider = isTracing() ? withCallSpans(budgeted) : budgeted;
  const guest = deps.guest && isTracing() ? withStepSpans(deps.guest) : deps.guest;
  const statuses = new StatusCoalescer(provider);
  const readyWaits = new ReadyWaits({
    provider,
    ...(guest ? { guest } : {}),
    statuses,
    completions: client.activity,
    warn: (message, err) => deps.say?.(`${message}: ${String(err)}`),
    counted: (waits) => metrics.readyWaits(waits),
  });
  const closeAll = async () => {
    await connection.close();
    await clientConnection.close();
  };
  let worker: Worker;
  try {
    worker = await createWorker({
      workflows,
      ...deps,
      provider,
      ...(guest ? { guest } : {}),
      statuses,
      readyWaits,
      connection,
    });
  } catch (err) {
    await closeAll();
    throw err;
  }
  const running = worker.run().finally(closeAll);
  const version = deploymentVersion(deps);
  if (version) {
    const say = deps.say ?? (() => undefined);
    say(`worker deployment ${version.deploymentName}: polling as build ${version.buildId}`);
    // Once polling: the server makes a version current only when it knows its pollers.
    void promoteVersion(client, version, deps.config.WORKER_VERSION_PROMOTE ?? 'if-none', say).catch((err: unknown) =>
      say(`worker deployment ${version.deploymentName}: could not make ${version.buildId} current: ${String(err)}`),
    );
  }
  return {
    running,
    async stop() {
      // Waits go back first, while the client can still say so: another worker takes each over at once.
      await readyWaits.stop();
      // A worker that already failed or stopped has nothing to drain.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
    },
  };
}
