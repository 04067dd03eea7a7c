import { createHash, randomUUID } from 'node:crypto';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowFailedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { LaunchProgress, LaunchResult } from '../domain/launch';
import { launchWorkflowId } from '../domain/launch';
import type { LaunchRequest } from '../domain/launch-request';
import { BillingCode, Group, ImageId, Provider, Region } from '../domain/search-attributes';
import type { launchServer } from '../workflows/launch-server';
import { ApiError, notFound } from './errors';
import type { LaunchView } from './routes/launches.schemas';

const PROGRESS_DEADLINE_MS = 5_000;

const STATUS: Record<string, LaunchView['status']> = {
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed-out',
  CONTINUED_AS_NEW: 'running',
};

/** Fingerprint of a request, kept in the memo, so a reused Idempotency-Key with another body is refused. */
const fingerprint = (request: LaunchRequest): string =>
  createHash('sha256').update(JSON.stringify(request)).digest('hex').slice(0, 32);

// Starts and reads launches through Temporal; the workflow is the record of each launch.
export class LaunchClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly provider: string,
  ) {}

  async start(request: LaunchRequest, idempotencyKey?: string): Promise<{ id: string; created: boolean }> {
    const workflowId = launchWorkflowId(idempotencyKey ?? randomUUID());
    const requestFingerprint = fingerprint(request);
    try {
      await this.client.workflow.start<typeof launchServer>('launchServer', {
        workflowId,
        taskQueue: this.taskQueue,
        args: [request],
        // A key names one launch forever: never start a second run under it, even after the first closed.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        memo: { requestFingerprint },
        typedSearchAttributes: [
          { key: ImageId, value: request.imageId },
          { key: Region, value: request.region },
          { key: Provider, value: this.provider },
          { key: Group, value: request.group },
          { key: BillingCode, value: request.billingCode },
        ],
        staticSummary: `Launch ${request.name} from ${request.imageId} in ${request.region}`,
      });
      return { id: workflowId, created: true };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || idempotencyKey === undefined) throw err;
      const existing = await this.client.workflow.getHandle(workflowId).describe();
      if (existing.memo?.requestFingerprint !== requestFingerprint) {
        throw new ApiError(
          409,
          'idempotency_key_reused',
          `Idempotency-Key "${idempotencyKey}" already started launch ${workflowId} with a different request; use a new key for a new launch`,
        );
      }
      return { id: workflowId, created: false };
    }
  }

  async get(id: string): Promise<LaunchView> {
    const handle = this.client.workflow.getHandle<typeof launchServer>(id);
    let description;
    try {
      description = await handle.describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(`launch ${id}`);
      throw err;
    }
    if (description.type !== 'launchServer') throw notFound(`launch ${id}`);
    const status = STATUS[description.status.name] ?? 'running';
    const view = {
      id,
      status,
      startedAt: description.startTime.toISOString(),
      ...(description.closeTime ? { closedAt: description.closeTime.toISOString() } : {}),
    };
    if (status === 'completed') {
      const result: LaunchResult = await handle.result();
      return { ...view, ...result };
    }
    const progress = await this.progressOf(handle, id);
    const error = status === 'failed' ? await failureOf(handle.result()) : undefined;
    return { ...view, ...progress, ...(error ? { error } : {}) };
  }

  /** Progress lives in the workflow; only a worker can answer for it, within a few seconds or not at all. */
  private async progressOf(handle: WorkflowHandle, id: string): Promise<LaunchProgress> {
    try {
      return await this.client.connection.withDeadline(Date.now() + PROGRESS_DEADLINE_MS, () => handle.query<LaunchProgress>('progress'));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(`launch ${id}`);
      throw new ApiError(
        503,
        'worker_unavailable',
        `launch ${id} exists, but no worker answered for its progress within ${PROGRESS_DEADLINE_MS / 1000} s; check GET /v1/ready and retry`,
      );
    }
  }
}

/** The root cause of a failed launch, as `{code, message}` a person can act on. */
async function failureOf(result: Promise<unknown>): Promise<{ code: string; message: string } | undefined> {
  try {
    await result;
    return undefined;
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    // The first ApplicationFailure down the chain is the one an activity or the workflow raised on purpose.
    let cause: Error | undefined = err.cause;
    while (cause && !(cause instanceof ApplicationFailure) && cause.cause instanceof Error) cause = cause.cause;
    const type = cause instanceof ApplicationFailure && cause.type ? cause.type : 'LaunchFailed';
    return { code: type, message: cause?.message ?? err.message };
  }
}
