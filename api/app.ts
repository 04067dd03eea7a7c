import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { Client } from '@temporalio/client';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import helmet from 'helmet';
import type { Config } from '../config/config';
import type { Logger } from '../config/logger';
import type { WatchedFileStatus } from '../config/watched-file';
import type { CloudProvider } from '../providers/cloud-provider';
import type { KeyStore } from '../secrets/key-store';
import type { Keyring } from '../secrets/keyring';
import type { BillingCode } from '../domain/billing-codes';
import type { ApiKeys } from './auth/api-keys';
import { principalOf, registerAuthentication, SECURITY_SCHEME } from './auth/authentication';
import { BrowserSessions } from './auth/sessions';
import { SessionCookies } from './auth/session-cookie';
import { SessionRevocations } from './auth/session-revocations';
import { sessionRoutes } from './routes/session';
import { webUiRoutes } from './routes/web-ui';
import { temporalQuotaPlaces } from './billing/quota-ledger';
import { BillingGate } from './billing/billing-gate';
import { billingRoutes } from './routes/billing-codes';
import { ApiError, MAX_PATH_PARAM_LENGTH, clientErrorHandler, frameworkErrors, registerErrorHandling } from './errors';
import { CatalogCache } from './catalog-cache';
import { ImageCatalog } from './image-catalog';
import { LaunchClient } from './launch-client';
import { withLinks } from './openapi-links';
import { withContentTypes } from './openapi-content-types';
import { openApiTransform } from './schemas';
import { catalogRoutes } from './routes/catalog';
import { codecRoutes } from './routes/codec';
import { consoleRoutes } from './routes/console';
import { ApiMetrics, registerMetrics } from './metrics';
import { familyRoutes } from './routes/families';
import { firewallRoutes } from './routes/firewalls';
import { imageOperationRoutes } from './routes/image-operations';
import { imageRoutes } from './routes/images';
import { imageShareRoutes } from './routes/image-shares';
import { keypairRoutes } from './routes/keypairs';
import { operationRoutes } from './routes/operations';
import { reaperRoutes } from './routes/reaper';
import { serverRoutes } from './routes/servers';
import { healthRoutes } from './routes/health';
import { launchRoutes } from './routes/launches';

export interface AppDeps {
  config: Pick<Config, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE' | 'PROVIDER'> &
    Partial<Pick<Config, 'API_RATE_LIMIT' | 'CORS_ORIGINS' | 'REAPER_GRACE_SECONDS' | 'STUCK_CANCEL_GRACE_SECONDS'>>;
  client: Client;
  /** Who may call the API, as of each request (API_KEYS_FILE is read again when it changes). */
  apiKeys: () => ApiKeys;
  /** The billing codes launches may use, as of each request; absent: not enforced. */
  billingCodes?: () => ReadonlyMap<string, BillingCode>;
  /** The configuration files read again when they change, for /metrics. */
  watchedFiles?: readonly WatchedFileStatus[];
  /** Signs console sessions: the key store's keyring, the same on every replica; rotating it ends every session. */
  sessionKeyring: Keyring;
  provider: CloudProvider;
  keys: KeyStore;
  logger: Logger;
  /** The Temporal Web UI, for links to workflows; absent when unknown. */
  webUiUrl?: string;
  /** A Web UI server to serve under /temporal (api/routes/web-ui.ts); absent: none. */
  webUiUpstream?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps & {
      launches: LaunchClient;
      images: ImageCatalog;
      catalog: CatalogCache;
      billing: BillingGate;
      sessions: BrowserSessions;
    };
  }
}

/** The whole HTTP API as one app; server.ts alone listens, tests call inject(). */
/** Liveness, readiness and the API's own documentation: what load balancers and people probe. */
const isProbe = (route: string | undefined): boolean =>
  route === '/v1/health' || route === '/v1/ready' || route === '/docs' || route?.startsWith('/docs/') === true;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // 1 MiB: a launch request with its largest user data is a few tens of KiB.
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    clientErrorHandler,
    frameworkErrors,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('deps', {
    ...deps,
    launches: new LaunchClient(
      deps.client,
      deps.config.TEMPORAL_TASK_QUEUE,
      deps.config.PROVIDER,
      deps.webUiUrl,
      deps.config.STUCK_CANCEL_GRACE_SECONDS,
    ),
    images: new ImageCatalog(deps.provider),
    catalog: new CatalogCache(deps.provider),
    billing: new BillingGate(
      () => deps.billingCodes?.(),
      temporalQuotaPlaces(deps.client, deps.config.TEMPORAL_TASK_QUEUE),
    ),
    sessions: new BrowserSessions(
      new SessionCookies(deps.sessionKeyring),
      deps.apiKeys,
      new SessionRevocations(deps.client, deps.config.TEMPORAL_TASK_QUEUE, deps.logger),
    ),
  });
  registerErrorHandling(app);

  // The API speaks plain HTTP on loopback and behind TLS-terminating proxies: never ask browsers to upgrade to https.
  // helmet's headers, built once: @fastify/helmet builds its middleware again on every request (about 9% of a
  // cached image search's CPU, bench/api.ts). No route sets helmet options of its own or needs a CSP nonce.
  const secureHeaders = helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
  app.addHook('onRequest', (request, reply, done) =>
    secureHeaders(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined)),
  );
  // Browsers are not let in unless an operator names their origins; the codec routes allow the Web UI on their own.
  const origins =
    deps.config.CORS_ORIGINS?.split(',')
      .map((o) => o.trim())
      .filter(Boolean) ?? [];
  if (origins.length)
    await app.register(cors, {
      origin: origins,
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key'],
      exposedHeaders: ['location'],
    });
  // Before authentication, so failed attempts count too: per known key, and per address for everything else.
  await app.register(rateLimit, {
    max: deps.config.API_RATE_LIMIT ?? 600,
    timeWindow: '1 minute',
    // Probes never count nor answer 429: a load balancer would read a limited probe as a dead service.
    allowList: (request) => isProbe(request.routeOptions.url),
    keyGenerator: (request) => {
      const principal = principalOf(request, deps.apiKeys());
      return principal ? `key:${principal.keyId}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        429,
        'rate_limited',
        `more than ${context.max} requests a minute from this key or address; retry in ${context.after}`,
      ),
  });
  registerAuthentication(app, deps.apiKeys, app.deps.sessions);
  registerMetrics(app, new ApiMetrics(deps.client, deps.config.TEMPORAL_TASK_QUEUE, deps.watchedFiles));

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Machine images service',
        version: '0.1.0',
        description: 'Machine images and durable server launches on Temporal.',
      },
      components: {
        securitySchemes: {
          [SECURITY_SCHEME]: { type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer <key>' },
        },
      },
    },
    transform: openApiTransform,
    transformObject: (documentation) =>
      withContentTypes(
        withLinks('openapiObject' in documentation ? documentation.openapiObject : documentation.swaggerObject),
      ),
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  await app.register(healthRoutes);
  await app.register(launchRoutes);
  await app.register(catalogRoutes);
  await app.register(imageRoutes);
  await app.register(imageShareRoutes);
  await app.register(imageOperationRoutes);
  await app.register(serverRoutes);
  await app.register(reaperRoutes);
  await app.register(keypairRoutes);
  await app.register(firewallRoutes);
  await app.register(operationRoutes);
  await app.register(familyRoutes);
  await app.register(codecRoutes);
  await app.register(billingRoutes);
  await app.register(consoleRoutes);
  await app.register(sessionRoutes);
  if (deps.webUiUpstream) await app.register(webUiRoutes(deps.webUiUpstream, deps.config.TEMPORAL_NAMESPACE));
  return app;
}
