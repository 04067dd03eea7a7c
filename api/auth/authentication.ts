import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { allows, type Access, type Principal } from '../../domain/access';
import { ApiError } from '../errors';
import { ErrorSchema } from '../schemas';
import type { ApiKeys } from './api-keys';
import { sessionToken, type BrowserSessions } from './sessions';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; a route that does not say is for admins only. */
    access?: Access;
    /** Also accept a browser session's cookie instead of a bearer key (for the Temporal Web UI's codec calls). */
    sessionCookie?: boolean;
  }
  interface FastifyRequest {
    /** The caller, on every route that is not public. */
    principal: Principal;
  }
}

export const SECURITY_SCHEME = 'apiKey';

const ROLE_HINT: Record<Exclude<Access, 'public'>, string> = {
  read: 'any role',
  operate: 'the operator or admin role',
  admin: 'the admin role',
};

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = BEARER.exec(header);
  if (!match) throw new ApiError(401, 'unauthorized', 'Authorization: give the API key as "Bearer <key>"');
  return match[1];
}

/** The principal of the request's key, if it sends one this service knows; never throws (for the rate limiter). */
export function principalOf(request: FastifyRequest, keys: ApiKeys): Principal | undefined {
  const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
  return token ? keys.lookup(token) : undefined;
}

/**
 * The caller as far as the request says, for the routes open to anyone that show more to some (the Web UI's codec):
 * a known bearer key's principal, else a live console session's; undefined for anyone else. Never throws.
 */
export async function callerOf(
  request: FastifyRequest,
  keys: ApiKeys,
  sessions: BrowserSessions,
): Promise<Principal | undefined> {
  const byKey = principalOf(request, keys);
  if (byKey) return byKey;
  const session = sessionToken(request.headers.cookie);
  return session ? sessions.principal(session).catch(() => undefined) : undefined;
}

/** The access a route declared; the OpenAPI document and the Swagger UI are public, anything undeclared is admin's. */
function accessOf(url: string, declared: Access | undefined): Access {
  if (declared) return declared;
  return url === '/docs' || url.startsWith('/docs/') ? 'public' : 'admin';
}

// Every request but the public ones carries `Authorization: Bearer <key>`; the route's `config.access` says which roles pass.
export function registerAuthentication(app: FastifyInstance, keys: () => ApiKeys, sessions: BrowserSessions): void {
  app.decorateRequest('principal', null as unknown as Principal);

  const authenticate: onRequestAsyncHookHandler = async (request, reply) => {
    // A CORS preflight carries no credentials by design; the CORS plugin of the route answers it.
    if (request.method === 'OPTIONS') return;
    const access = request.routeOptions.config?.access ?? 'admin';
    if (access === 'public') return;
    const token = bearerToken(request);
    const session =
      !token && request.routeOptions.config?.sessionCookie ? sessionToken(request.headers.cookie) : undefined;
    if (!token && !session) {
      void reply.header('www-authenticate', 'Bearer');
      throw new ApiError(
        401,
        'unauthorized',
        'this route needs an API key: send Authorization: Bearer <key> (see README.md, API keys)',
      );
    }
    const principal = token ? keys().lookup(token) : await sessions.principal(session!);
    if (!principal && session)
      throw new ApiError(401, 'unauthorized', 'the browser session has ended; sign in to the console again');
    if (!principal) {
      void reply.header('www-authenticate', 'Bearer error="invalid_token"');
      throw new ApiError(
        401,
        'unauthorized',
        'the API key is not one this service knows; check it, or ask an admin for a key',
      );
    }
    request.principal = principal;
    request.log = reply.log = request.log.child({ principal: principal.name });
    if (!allows(principal.role, access)) {
      throw new ApiError(
        403,
        'forbidden',
        `${principal.name} has the ${principal.role} role; ${request.method} ${request.routeOptions.url} needs ${ROLE_HINT[access]}`,
      );
    }
  };

  // Each route authenticates in its own hooks, after those added before (the rate limiter, so failed keys count too);
  // a path with no route has nothing to protect and answers 404 to anyone. Routes are documented with their auth.
  app.addHook('onRoute', (route) => {
    const access = accessOf(route.url, route.config?.access);
    route.config = { ...route.config, access };
    route.onRequest = [...[route.onRequest ?? []].flat(), authenticate];
    if (access === 'public' || !route.schema) return;
    route.schema = {
      ...route.schema,
      security: [{ [SECURITY_SCHEME]: [] }],
      response: {
        401: ErrorSchema,
        403: ErrorSchema,
        429: ErrorSchema,
        ...(route.schema.response as object | undefined),
      },
    };
  });
}
