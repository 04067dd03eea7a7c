import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError, isGrpcDeadlineError, isGrpcServiceError } from '@temporalio/client';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isProviderError } from '../domain/cloud-errors';
import { FRAMEWORK_ERRORS, PROVIDER_ERRORS } from './error-codes';
import { ErrorSchema } from './schemas';

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

const GRPC_UNAVAILABLE = 14;
const GRPC_RESOURCE_EXHAUSTED = 8;

/** Temporal refused for its rate limits (a self-hosted server's visibility limit is 10 calls a second by default). */
function temporalBusy(err: unknown): boolean {
  const grpc = err instanceof ServiceError ? err.cause : err;
  return isGrpcServiceError(grpc) && grpc.code === GRPC_RESOURCE_EXHAUSTED;
}

/** The Temporal frontend is down or slow: the caller may retry; nothing was lost. */
function temporalUnreachable(err: unknown): boolean {
  const grpc = err instanceof ServiceError ? err.cause : err;
  return isGrpcDeadlineError(grpc) || (isGrpcServiceError(grpc) && grpc.code === GRPC_UNAVAILABLE);
}

/** Every route's methods by path pattern, so a known path asked with a method it lacks can say which it has. */
function routeMethods(app: FastifyInstance): (path: string) => string[] {
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  app.addHook('onRoute', (route) => {
    // A catch-all (the CORS plugin's `OPTIONS *`) says nothing about which paths exist.
    if (route.url.includes('*')) return;
    const parts = route.url
      .split('/')
      .map((part) =>
        part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      );
    routes.push({ pattern: new RegExp(`^${parts.join('/')}$`), methods: [route.method].flat() });
  });
  return (path) => [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))];
}

const CLIENT_ERRORS: Record<string, [status: number, code: string, message: string]> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'headers_too_large',
    'the request line and headers are over the server limit (16 KiB); shorten the query string or the headers',
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'the request did not arrive in time; send it again'],
};

/** Fastify's `clientErrorHandler`: what Node refuses before any route (headers over 16 KiB, not HTTP) is `{code, message}` too. */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] = CLIENT_ERRORS[err.code ?? ''] ?? [
    400,
    'bad_request',
    'the request is not valid HTTP/1.1',
  ];
  const body = JSON.stringify({ code, message });
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\n\r\n${body}`,
    );
  socket.destroy(err);
}

/** The router's limit on one path segment: the longest id the API hands out is an operation's, 133 characters. */
export const MAX_PATH_PARAM_LENGTH = 200;

/** Fastify's `frameworkErrors`: a URL the router refuses (bad percent-encoding, a segment over the limit) is a 400 like any bad parameter. */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const message =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? `params: a path segment is over ${MAX_PATH_PARAM_LENGTH} characters, longer than any id; use the id as the API returned it`
      : 'params: the path is not valid percent-encoding; encode each segment with encodeURIComponent';
  void reply.code(400).send({ code: 'invalid_request', message });
}

export const notFound = (what: string): ApiError => new ApiError(404, 'not_found', `${what} does not exist`);

// The one error handler: `{code, message}` everywhere, the field path in validation messages, 5xx text hidden.
export function registerErrorHandling(app: FastifyInstance): void {
  const methodsOf = routeMethods(app);
  // Any route may meet a request line and headers over Node's limit: clientErrorHandler answers it with 431.
  // A route with a body may also meet one over the body limit (413) or of a type it does not read (415).
  app.addHook('onRoute', (route) => {
    if (!route.schema?.response) return;
    const bodyErrors = route.schema.body ? { 413: ErrorSchema, 415: ErrorSchema } : {};
    route.schema = {
      ...route.schema,
      response: { 431: ErrorSchema, ...bodyErrors, ...(route.schema.response as object) },
    };
  });
  // A known path with a method it does not have: 405 with Allow (OPTIONS: 204 with Allow), before any other hook.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    const [path = ''] = request.url.split('?');
    const allowed = methodsOf(path);
    if (!allowed.length) return;
    void reply.header('allow', allowed.join(', '));
    if (request.method === 'OPTIONS') return reply.code(204).send();
    return reply.code(405).send({
      code: 'method_not_allowed',
      message: `${request.method} is not allowed on ${path}; use ${allowed.join(', ')} (see /docs)`,
    });
  });
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'request';
      const problems = err.validation.map((v) => {
        const field = where + (v.instancePath === '/' ? '' : v.instancePath.replaceAll('/', '.'));
        return `${field}: ${v.message ?? 'is invalid'}`;
      });
      return reply.code(400).send({ code: 'invalid_request', message: problems.join('; ') });
    }
    if (isProviderError(err)) {
      if (err.retryAfter !== undefined) void reply.header('retry-after', String(Math.ceil(err.retryAfter)));
      const [status, code] = PROVIDER_ERRORS[err.code];
      if (status >= 500) request.log.warn({ err }, 'the cloud did not answer');
      return reply.code(status).send({ code, message: err.message });
    }
    if (err instanceof ApiError) {
      return reply.code(err.statusCode).send({ code: err.code, message: err.message });
    }
    if (temporalBusy(err)) {
      request.log.warn({ err }, 'Temporal refused for its rate limits');
      void reply.header('retry-after', '1');
      return reply.code(503).send({
        code: 'temporal_busy',
        message: 'Temporal is over its rate limit for this namespace; retry in a second',
      });
    }
    if (temporalUnreachable(err)) {
      request.log.warn({ err }, 'Temporal did not answer');
      return reply
        .code(503)
        .send({ code: 'temporal_unavailable', message: 'Temporal did not answer; check GET /v1/ready and retry' });
    }
    const status = err.statusCode ?? 500;
    if (status < 500) {
      // Fastify's own 4xx (bad JSON, body too large, wrong content type) keep their message.
      return reply.code(status).send({ code: FRAMEWORK_ERRORS[status] ?? 'bad_request', message: err.message });
    }
    request.log.error({ err }, 'request failed');
    return reply.code(status).send({
      code: 'internal_error',
      message: 'the service failed to answer; the error is logged with this request id: ' + request.id,
    });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      code: 'not_found',
      message: `no route ${request.method} ${request.url.split('?')[0]}; see /docs for the API`,
    }),
  );
}
