import { createHash } from 'node:crypto';
import { statusOfCode, visibilityStatus } from './workflow-status';
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { ApiError } from './errors';
import type { LaunchStatus, LaunchSummary } from './routes/launches.schemas';

// Launches are listed from Temporal's visibility store, filtered by the search attributes every launch carries.

export interface LaunchFilter {
  billingCode?: string;
  group?: string;
  /** The caller's groups: only their launches are listed; undefined for every group. */
  groups?: readonly string[];
  imageId?: string;
  state?: LaunchStatus;
  cursor?: string;
  limit: number;
}

const quoted = (field: string, value: string) => {
  // Values reach a query language: refuse what could break out of the literal instead of escaping it.
  if (!/^[A-Za-z0-9_.:/@-]+$/.test(value))
    throw new ApiError(400, 'invalid_request', `querystring.${field}: use letters, digits and _ . : / @ - only`);
  return `'${value}'`;
};

export function launchQuery(filter: LaunchFilter): string {
  const terms = ["WorkflowType = 'launchServer'"];
  if (filter.billingCode) terms.push(`BillingCode = ${quoted('billingCode', filter.billingCode)}`);
  if (filter.group) terms.push(`\`Group\` = ${quoted('group', filter.group)}`);
  if (filter.groups) terms.push(`\`Group\` IN (${filter.groups.map((g) => quoted('group', g)).join(', ')})`);
  if (filter.imageId) terms.push(`ImageId = ${quoted('imageId', filter.imageId)}`);
  if (filter.state) terms.push(`ExecutionStatus = '${visibilityStatus(filter.state)}'`);
  return terms.join(' AND ');
}

function attribute(execution: temporal.api.workflow.v1.IWorkflowExecutionInfo, name: string): string | undefined {
  const payload = execution.searchAttributes?.indexedFields?.[name];
  if (!payload) return undefined;
  const value = defaultPayloadConverter.fromPayload<unknown>(payload);
  return Array.isArray(value) ? String(value[0]) : typeof value === 'string' ? value : undefined;
}

const toIso = (time: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  time ? new Date(Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6)).toISOString() : undefined;

/**
 * A cursor is Temporal's page token with a check of it and of the query it pages: a cursor this API did not hand out
 * for these filters is refused at once, where Temporal would retry its own failure to read it for 20 s and answer 500.
 */
const cursorCheck = (query: string, token: Uint8Array) =>
  createHash('sha256').update(query).update(token).digest('base64url').slice(0, 16);
const badCursor = () =>
  new ApiError(
    400,
    'invalid_request',
    'querystring.cursor: not a cursor this API returned for these filters; start again without it',
  );

function pageToken(query: string, cursor: string): Uint8Array {
  const [data = '', check, ...rest] = cursor.split('.');
  const token = Buffer.from(data, 'base64url');
  if (rest.length || token.length === 0 || check !== cursorCheck(query, token)) throw badCursor();
  return token;
}

export async function listLaunches(
  client: Client,
  filter: LaunchFilter,
): Promise<{ items: LaunchSummary[]; nextCursor?: string }> {
  if (filter.groups?.length === 0) return { items: [] }; // a key for no group sees no launch
  const query = launchQuery(filter);
  const nextPageToken = filter.cursor ? pageToken(query, filter.cursor) : undefined;
  const answer = await client.workflowService
    .listWorkflowExecutions({
      namespace: client.options.namespace,
      query,
      pageSize: filter.limit,
      ...(nextPageToken ? { nextPageToken } : {}),
    })
    .catch((err: unknown) => {
      // gRPC INVALID_ARGUMENT: here only a page token Temporal does not recognise.
      if (isGrpcServiceError(err) && err.code === 3 && filter.cursor) throw badCursor();
      throw err;
    });
  const items = (answer.executions ?? []).map((execution): LaunchSummary => {
    const optional = (key: keyof LaunchSummary, value: string | undefined) => (value ? { [key]: value } : {});
    return {
      id: execution.execution?.workflowId ?? '',
      status: statusOfCode(execution.status),
      startedAt: toIso(execution.startTime) ?? new Date(0).toISOString(),
      ...optional('closedAt', toIso(execution.closeTime)),
      ...optional('imageId', attribute(execution, 'ImageId')),
      ...optional('serverId', attribute(execution, 'ServerId')),
      ...optional('step', attribute(execution, 'LaunchStep')),
      ...optional('group', attribute(execution, 'Group')),
      ...optional('billingCode', attribute(execution, 'BillingCode')),
      ...optional('region', attribute(execution, 'Region')),
    };
  });
  const token = answer.nextPageToken;
  return {
    items,
    ...(token && token.length
      ? { nextCursor: `${Buffer.from(token).toString('base64url')}.${cursorCheck(query, token)}` }
      : {}),
  };
}
