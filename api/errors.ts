import type { FastifyError, FastifyInstance } from 'fastify';
import { ServiceError, isGrpcDeadlineError, isGrpcServiceError } from '@temporalio/client';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isProviderError, type ProviderErrorCode } from '../providers/errors';

/** An error meant for the caller: its status, a machine-readable code and a message that says what to do. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** How the cloud's answer reaches the caller: its fault (4xx), or the cloud's (5xx), never a bare 500. */
const PROVIDER_STATUS: Record<ProviderErrorCode, number> = {
  NotFound: 404,
  InvalidInput: 400,
  Conflict: 409,
  QuotaExceeded: 422,
  Throttled: 503,
  Unavailable: 503,
  Unsupported: 501,
  InvalidCredentials: 502,
};

const GRPC_UNAVAILABLE = 14;

/** The Temporal frontend is down or slow: the caller may retry; nothing was lost. */
function temporalUnreachable(err: unknown): boolean {
  const grpc = err instanceof ServiceError ? err.cause : err;
  return isGrpcDeadlineError(grpc) || (isGrpcServiceError(grpc) && grpc.code === GRPC_UNAVAILABLE);
}

export const notFound = (what: string): ApiError => new ApiError(404, 'not_found', `${what} does not exist`);

// The one error handler: `{code, message}` everywhere, the field path in validation messages, 5xx text hidden.
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'request';
      const problems = err.validation.map((v) => {
        const field = where + (v.instancePath === '/' ? '' : v.instancePath.replaceAll('/', '.'));
        return `${field}: ${v.message ?? "is invalid"}`;
      });
      return reply.code(400).send({ code: 'invalid_request', message: problems.join('; ') });
    }
    if (isProviderError(err)) {
      if (err.retryAfter !== undefined) void reply.header('retry-after', String(Math.ceil(err.retryAfter)));
      const status = PROVIDER_STATUS[err.code];
      if (status >= 500) request.log.warn({ err }, 'the cloud did not answer');
      return reply.code(status).send({ code: err.code, message: err.message });
    }
    if (err instanceof ApiError) {
      return reply.code(err.statusCode).send({ code: err.code, message: err.message });
    }
    if (temporalUnreachable(err)) {
      request.log.warn({ err }, 'Temporal did not answer');
      return reply.code(503).send({ code: 'temporal_unavailable', message: 'Temporal did not answer; check GET /v1/ready and retry' });
    }
    const status = err.statusCode ?? 500;
    if (status < 500) {
      // Fastify's own 4xx (bad JSON, body too large, wrong content type) keep their message.
      return reply.code(status).send({ code: (err.code ?? 'bad_request').toLowerCase(), message: err.message });
    }
    request.log.error({ err }, 'request failed');
    return reply.code(status).send({ code: 'internal_error', message: 'the service failed to answer; the error is logged with this request id: ' + request.id });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}; see /docs for the API` }),
  );
}
