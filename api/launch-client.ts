import { randomUUID } from 'node:crypto';
import {
  WorkflowNotFoundError,
  isGrpcDeadlineError,
  isGrpcServiceError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import type { Principal } from '../domain/access';
import type { LaunchContext, LaunchProgress, LaunchResult } from '../domain/launch';
import { launchWorkflowId } from '../domain/launch';
import type { LaunchRequest } from '../domain/launch-request';
import { Group, ImageId, Provider, Region } from '../domain/search-attributes';
import type { launchServer } from '../workflows/launch-server';
import { requireVisible } from './auth/scope';
import { ApiError, notFound } from './errors';
import { failureOf } from './failures';
import { startOperation } from './idempotent-start';
import { ProgressMemo } from './progress-memo';
import { readyWaitOf, readyWaitProgress, type ReadyWaitDetails } from '../domain/ready-wait';
import { DEFAULT_STUCK_CANCEL_GRACE_SECONDS } from '../domain/stuck';
import { cancelStuck, stuckOf } from './stuck';
import { statusOfName } from './workflow-status';
import type { LaunchStatus, LaunchView } from './routes/launches.schemas';

const PROGRESS_DEADLINE_MS = 5_000;

interface LaunchMemo {
  requestFingerprint: string;
  /** The request as accepted, so a closed launch can be shown even with no worker to answer a query. */
  request: LaunchRequest;
  /** The principal whose key started it. */
  startedBy?: string;
}

// Starts and reads launches through Temporal; the workflow is the record of each launch.
export class LaunchClient {
  private readonly progress = new ProgressMemo();

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly provider: string,
    /** The Temporal Web UI's base URL, for links to each launch's workflow. */
    private readonly webUiUrl?: string,
    /** How long a cancelled stuck launch has to recover before it is terminated. */
    private readonly stuckCancelGraceSeconds = DEFAULT_STUCK_CANCEL_GRACE_SECONDS,
  ) {}

  private webUiLink(workflowId: string): { webUiUrl?: string } {
    if (!this.webUiUrl) return {};
    return {
      webUiUrl: `${this.webUiUrl}/namespaces/${encodeURIComponent(this.client.options.namespace)}/workflows/${encodeURIComponent(workflowId)}`,
    };
  }

  /** Starts a launch; with a key seen before, answers with that launch and its current status instead. */
  async start(
    request: LaunchRequest,
    idempotencyKey?: string,
    context: LaunchContext = {},
    workflowId = launchWorkflowId(idempotencyKey ?? randomUUID()),
  ): Promise<{ id: string; created: boolean; status: LaunchStatus }> {
    const memo: Omit<LaunchMemo, 'requestFingerprint'> = {
      request,
      ...(context.startedBy ? { startedBy: context.startedBy } : {}),
    };
    const { created, existingStatus } = await startOperation(this.client, {
      workflowType: 'launchServer',
      workflowId,
      taskQueue: this.taskQueue,
      request,
      args: [request, context],
      idempotencyKey,
      summary: `Launch ${request.name} from ${request.imageId} in ${request.region} for group ${request.group}, billing code ${request.billingCode}`,
      group: request.group,
      billingCode: request.billingCode,
      searchAttributes: [
        { key: ImageId, value: request.imageId },
        { key: Region, value: request.region },
        { key: Provider, value: this.provider },
      ],
      memo,
      noun: 'launch',
    });
    return { id: workflowId, created, status: created ? 'running' : statusOfName(existingStatus ?? 'RUNNING') };
  }

  /** Asks the launch to stop; its undos run and it ends as cancelled. A closed launch cannot be cancelled. */
  async cancel(
    id: string,
    principal: Principal,
  ): Promise<{ status: 'cancelling' | 'terminated'; terminateAfter?: string }> {
    const handle = this.client.workflow.getHandle(id);
    const description = await this.describe(handle, id, principal);
    if (description.status.name !== 'RUNNING') {
      throw new ApiError(
        409,
        'launch_closed',
        `launch ${id} is already ${statusOfName(description.status.name)}; there is nothing to cancel`,
      );
    }
    // A stuck launch cannot run its undo: unless it recovers within the grace period it is terminated, and the
    // reaper removes what it made.
    const stuck = await stuckOf(this.client, id, description);
    if (stuck) return cancelStuck(this.client, this.taskQueue, description, stuck, this.stuckCancelGraceSeconds);
    await handle.cancel().catch((err: unknown) => {
      // It closed between the look and the cancel.
      if (err instanceof WorkflowNotFoundError)
        throw new ApiError(409, 'launch_closed', `launch ${id} has just closed; there is nothing to cancel`);
      throw err;
    });
    return { status: 'cancelling' };
  }

  /** A launch the principal may see: one of its groups' (anything else is 404, as if it did not exist). */
  private async describe(
    handle: WorkflowHandle,
    id: string,
    principal: Principal,
  ): Promise<WorkflowExecutionDescription> {
    const description = await handle.describe().catch((err: unknown) => {
      throw err instanceof WorkflowNotFoundError ? notFound(`launch ${id}`) : err;
    });
    if (description.type !== 'launchServer') throw notFound(`launch ${id}`);
    requireVisible(principal, description.typedSearchAttributes.get(Group), `launch ${id}`);
    return description;
  }

  async get(id: string, principal: Principal): Promise<LaunchView> {
    const handle = this.client.workflow.getHandle<typeof launchServer>(id);
    const description = await this.describe(handle, id, principal);
    const status = statusOfName(description.status.name);
    const wait = status === 'running' ? await readyWaitOf(this.client, description) : undefined;
    const view = {
      id,
      workflowId: id,
      status,
      startedAt: description.startTime.toISOString(),
      ...(description.closeTime ? { closedAt: description.closeTime.toISOString() } : {}),
      ...this.webUiLink(id),
      ...waitingFor(description, wait),
    };
    if (status === 'completed') {
      const result: LaunchResult = await handle.result();
      return { ...view, ...result };
    }
    const stuck = await stuckOf(this.client, id, description);
    if (stuck) {
      // It can answer no query: shown from its memo, with the server's reason.
      const request = (description.memo as Partial<LaunchMemo>)?.request;
      return {
        ...view,
        status: 'stuck',
        stuck,
        steps: [],
        warnings: [],
        ...(request ? { request } : {}),
      } as LaunchView;
    }
    const error = status === 'failed' ? await failureOf(handle.result()) : undefined;
    const progress = await this.progressOf(
      handle,
      id,
      description,
      status === 'running' ? undefined : (description.memo as Partial<LaunchMemo>)?.request,
      wait !== undefined,
    );
    const left =
      status === 'running' && progress.readyBy
        ? { readySecondsLeft: Math.max(0, Math.round((Date.parse(progress.readyBy) - Date.now()) / 1000)) }
        : {};
    return { ...view, ...progress, ...left, ...(error ? { error } : {}) };
  }

  /**
   * Progress lives in the workflow; only a worker can answer for it. A closed launch with no worker to ask is
   * still shown, from its memo, without the step detail.
   */
  private async progressOf(
    handle: WorkflowHandle,
    id: string,
    description: WorkflowExecutionDescription,
    closedRequest: LaunchRequest | undefined,
    /** Waiting for readiness: its progress is its wait's input, in the history; no worker needs asking. */
    waiting: boolean,
  ): Promise<LaunchProgress> {
    const { runId, historyLength } = description;
    const known = this.progress.get(runId, historyLength);
    if (known) return known;
    if (waiting) {
      const progress = (await readyWaitProgress(this.client, id, runId)) as LaunchProgress | undefined;
      if (progress) {
        this.progress.set(runId, historyLength, progress);
        return progress;
      }
    }
    try {
      const progress = await this.client.connection.withDeadline(Date.now() + PROGRESS_DEADLINE_MS, () =>
        handle.query<LaunchProgress>('progress'),
      );
      this.progress.set(runId, historyLength, progress);
      return progress;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(`launch ${id}`);
      // A gRPC failure (a deadline, or the server giving up on a query no worker picked up) means no worker answered.
      if (!isGrpcDeadlineError(err) && !grpcFailure(err)) {
        // The worker answered, but the workflow could not (for example a workflow task that keeps failing).
        throw new ApiError(
          503,
          'progress_unavailable',
          `launch ${id} could not report its progress (${(err as Error).message}); see it in the Temporal Web UI`,
        );
      }
      if (closedRequest)
        return {
          request: closedRequest,
          steps: [],
          warnings: ['step detail unavailable: no worker answered; see the workflow in the Temporal Web UI'],
        };
      throw new ApiError(
        503,
        'worker_unavailable',
        `launch ${id} exists, but no worker answered for its progress within ${PROGRESS_DEADLINE_MS / 1000} s; check GET /v1/ready and retry`,
      );
    }
  }
}

function grpcFailure(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) if (isGrpcServiceError(e)) return true;
  return false;
}

/**
 * While a step waits: the check a readiness wait last found untrue, from its heartbeat; or while a step retries (the
 * guest's SSH), the last failing check, from a pending activity's last failure.
 */
function waitingFor(
  description: WorkflowExecutionDescription,
  wait: ReadyWaitDetails | undefined,
): { waitingFor?: string } {
  if (wait?.waitingFor) return { waitingFor: wait.waitingFor };
  const pending = description.raw.pendingActivities?.find((a) => a.lastFailure?.message);
  const message = pending?.lastFailure?.message;
  return message ? { waitingFor: message } : {};
}
