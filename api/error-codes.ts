import type { ProviderErrorCode } from '../domain/cloud-errors';

// Every `code` an error answer of the API can carry, in one style (snake_case), each with what it means. The
// OpenAPI document lists them on ErrorSchema; a test finds every code the source sends and checks it is here.
export const ERROR_CODES = {
  invalid_request: 'a field or parameter is missing or wrong; the message names it',
  unauthorized: 'no API key, or one that is not valid',
  forbidden: 'the key may not do this, or not for this group',
  not_found: 'no such resource, or one the key may not see; or no such route',
  method_not_allowed: 'the route exists, not with this method (see the Allow header)',
  not_acceptable: 'the Accept header asks for something the route does not serve',
  conflict: 'the cloud refused for the state of the resource (in use, already exists)',
  idempotency_key_reused: 'the Idempotency-Key started something else before; use a new key',
  launch_closed: 'the launch has already closed; nothing to cancel',
  refresh_running: 'a refresh of the family is already running',
  family_exists: 'a family of that name exists',
  gone: 'it existed and is gone (a private key fetched or deleted)',
  not_own_image: "the image is not one of the account's own (a public image cannot be changed)",
  image_in_use: 'servers still run from the image; terminate them first, or force',
  payload_too_large: 'the body or the workflow input is over its limit',
  unsupported_media_type: 'the body is not application/json',
  quota_exceeded: 'a quota (the cloud, or the billing code) has no room for it',
  quota_ledger_unavailable:
    "the billing code's quota ledger could not answer (no worker, or the cloud unreachable); try again",
  unknown_billing_code: 'no such billing code for the group',
  billing_code_inactive: 'the billing code is not active',
  invalid_region: 'no such region in this cloud',
  rate_limited: 'too many requests from this key or address; retry after the Retry-After header',
  headers_too_large: 'the request line and headers are over 16 KiB',
  request_timeout: 'the request did not arrive in time',
  bad_request: 'the request is not valid HTTP, or was refused before any route',
  not_supported: 'this cloud does not do that (see GET /v1/capabilities)',
  progress_unavailable: 'no worker answered for the launch in time; retry',
  worker_unavailable: 'no worker polls the task queue to answer; start one',
  family_unreadable: 'the family schedule cannot be read as a family',
  dry_run_failed: 'a refresh dry run failed; the message says why',
  dry_run_timed_out: 'a refresh dry run did not finish within a minute',
  not_ready: 'a dependency of the service is not ready (GET /v1/ready)',
  cloud_throttled: 'the cloud throttled the call; retry after the Retry-After header',
  cloud_unavailable: 'the cloud did not answer; retry',
  cloud_credentials_invalid: "the service's own credentials for the cloud were refused",
  temporal_busy: 'Temporal is over its rate limit; retry in a second',
  temporal_unavailable: 'Temporal did not answer; retry',
  internal_error: 'the service failed; the message carries the request id of the logged error',
} as const satisfies Record<string, string>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** How a cloud's refusal reaches the caller: its fault (4xx), or the cloud's (5xx), never a bare 500. */
export const PROVIDER_ERRORS: Record<ProviderErrorCode, [status: number, code: ErrorCode]> = {
  NotFound: [404, 'not_found'],
  InvalidInput: [400, 'invalid_request'],
  Conflict: [409, 'conflict'],
  QuotaExceeded: [422, 'quota_exceeded'],
  Throttled: [503, 'cloud_throttled'],
  Unavailable: [503, 'cloud_unavailable'],
  Unsupported: [501, 'not_supported'],
  InvalidCredentials: [502, 'cloud_credentials_invalid'],
};

/** Fastify's own refusals before a handler (bad JSON, a body too large, another content type), by status. */
export const FRAMEWORK_ERRORS: Record<number, ErrorCode> = {
  400: 'invalid_request',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  431: 'headers_too_large',
};

/** The codes as the OpenAPI document lists them on every error answer. */
export const ERROR_CODES_DESCRIPTION = `One of: ${Object.entries(ERROR_CODES)
  .map(([code, meaning]) => `\`${code}\` (${meaning})`)
  .join('; ')}.`;
