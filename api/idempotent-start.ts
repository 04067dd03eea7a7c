import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { BillingCode, Group } from '../domain/search-attributes';
import { ApiError } from './errors';
import { publicText } from '../domain/public-text';

/** JSON with sorted keys: the same request always has the same text, whatever order its fields came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A key another group used: the caller learns only that it is taken, not whose or what for. */
export const keyTaken = (idempotencyKey: string): ApiError =>
  new ApiError(
    409,
    'idempotency_key_reused',
    `Idempotency-Key "${idempotencyKey}" is already taken; use a new key (a UUID) for a new request`,
  );

/** Kept in a workflow's memo, so a reused Idempotency-Key with another body is refused. */
export const requestFingerprint = (request: unknown): string =>
  createHash('sha256').update(canonical(request)).digest('hex').slice(0, 32);

export interface OperationStart {
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  /** What the key stands for; its fingerprint tells a replay from a reused key. */
  request: unknown;
  /** The workflow's arguments: `[request]` unless given. */
  args?: unknown[];
  idempotencyKey: string | undefined;
  summary: string;
  /** The group it acts for: who may see it. */
  group?: string;
  /** The billing code its servers are charged to, so quotas count them from the start. */
  billingCode?: string;
  /** Search attributes and memo fields beside the group, billing code and fingerprint. */
  searchAttributes?: SearchAttributePair[];
  memo?: Record<string, unknown>;
  /** What a refusal calls it: a launch, or an operation. */
  noun?: string;
}

/**
 * Starts a workflow once per Idempotency-Key, for launches and operations alike: the same key and request find it
 * again (created: false, with its status as Temporal names it); another request under the key is 409.
 */
export async function startOperation(
  client: Client,
  start: OperationStart,
): Promise<{ created: boolean; existingStatus?: string }> {
  const args = start.args ?? [start.request];
  requireSmallInput(...args);
  const fingerprint = requestFingerprint(start.request);
  const noun = start.noun ?? 'operation';
  try {
    await client.workflow.start(start.workflowType, {
      workflowId: start.workflowId,
      taskQueue: start.taskQueue,
      args,
      // A key names one workflow forever: never a second run under it, even after the first closed.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      memo: { ...start.memo, requestFingerprint: fingerprint },
      staticSummary: publicText(start.summary),
      typedSearchAttributes: [
        ...(start.searchAttributes ?? []),
        ...(start.group ? [{ key: Group, value: start.group }] : []),
        ...(start.billingCode ? [{ key: BillingCode, value: start.billingCode }] : []),
      ],
    });
    return { created: true };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError) || start.idempotencyKey === undefined) throw err;
    const existing = await client.workflow.getHandle(start.workflowId).describe();
    // Another group's workflow is not named: the key is taken, and that is all the caller learns.
    if (existing.typedSearchAttributes.get(Group) !== start.group) throw keyTaken(start.idempotencyKey);
    if ((existing.memo as { requestFingerprint?: string } | undefined)?.requestFingerprint !== fingerprint) {
      throw new ApiError(
        409,
        'idempotency_key_reused',
        `Idempotency-Key "${start.idempotencyKey}" already started ${noun} ${start.workflowId} with a different request; use a new key for a new ${noun}`,
      );
    }
    return { created: false, existingStatus: existing.status.name };
  }
}

/** The most a workflow's input may take, encoded: far above any valid request, far below what can wedge a workflow. */
export const MAX_WORKFLOW_INPUT_BYTES = 64 * 1024;

/** A request whose workflow input would pass the limit is refused (413) before anything starts. */
export function requireSmallInput(...args: unknown[]): void {
  const bytes = Buffer.byteLength(JSON.stringify(args));
  if (bytes > MAX_WORKFLOW_INPUT_BYTES) {
    throw new ApiError(
      413,
      'payload_too_large',
      `the request would make a workflow input of ${bytes} bytes; at most ${MAX_WORKFLOW_INPUT_BYTES} bytes (64 KiB) are accepted`,
    );
  }
}
