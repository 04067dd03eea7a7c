import type { FastifyInstance } from 'fastify';
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { webUiUpstream, webUiUrl, type Config } from '../config/config';
import type { Logger } from '../config/logger';
import type { ServiceDeps } from '../config/dependencies';
import { buildApp } from './app';
import { loadAccessConfig, type AccessConfig } from './auth/access-config';
import { readFamiliesFile } from './families-file';
import { ensureFamilySchedule, ensureReaperSchedule } from './schedules';
import { connectClient } from './temporal-client';
import { keyStoreKeyring } from '../secrets/service-keyrings';

export interface ServingApi {
  app: FastifyInstance;
  /** The keys and billing codes in force, for the start-up notice. */
  access: AccessConfig;
  /** Reads the keys and billing codes files again (SIGHUP); they are also read whenever they change. */
  reload(): void;
  /** Stops watching files and accepting, finishes requests in flight, closes the Temporal connection. */
  close(): Promise<void>;
}

/** gRPC codes a Temporal server answers while it is still starting or busy: worth another try at start-up. */
const TRANSIENT_GRPC_CODES = new Set([
  4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 10 /* ABORTED */, 14 /* UNAVAILABLE */,
]);
const STARTUP_ATTEMPTS = 6;

function isTransient(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (isGrpcServiceError(e) && TRANSIENT_GRPC_CODES.has(e.code)) return true;
  }
  return false;
}

/**
 * A Temporal that has just started (or a dev server on a busy machine) can answer a schedule's update slowly at
 * first: a start-up step tries again, backing off, rather than stopping the whole service.
 */
async function retryingAtStartup<T>(what: string, logger: Logger, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= STARTUP_ATTEMPTS || !isTransient(err)) throw err;
      const delayMs = 500 * 2 ** attempt;
      logger.warn({ err, attempt }, `${what} failed for now; trying again in ${delayMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** The families of FAMILIES_FILE and the reaper, created or brought up to date on every start. */
async function ensureSchedules(
  client: Client,
  deps: Pick<ServiceDeps, 'provider'> & { config: Config; logger: Logger },
): Promise<void> {
  const taskQueue = deps.config.TEMPORAL_TASK_QUEUE;
  const families = deps.config.FAMILIES_FILE ? readFamiliesFile(deps.config.FAMILIES_FILE) : [];
  for (const family of families) {
    const outcome = await retryingAtStartup(`the schedule of family ${family.name}`, deps.logger, () =>
      ensureFamilySchedule(client, taskQueue, family),
    );
    deps.logger.info({ family: family.name }, `family ${family.name}: schedule ${outcome}`);
  }
  const regions = await deps.provider.listRegions();
  const outcome = await retryingAtStartup('the reaper schedule', deps.logger, () =>
    ensureReaperSchedule(client, taskQueue, regions, deps.config.REAPER_GRACE_SECONDS),
  );
  deps.logger.info({ regions }, `reaper schedule ${outcome}`);
}

/** The API role: a Temporal client, the app, and a listening socket. */
export async function serveApi(
  deps: Pick<ServiceDeps, 'provider' | 'keys' | 'payloadCodecs'> & { config: Config; logger: Logger },
): Promise<ServingApi> {
  const access = loadAccessConfig(deps.config, deps.logger);
  const client = await connectClient(deps.config.temporal, deps.payloadCodecs).catch((err: unknown) => {
    access.close();
    throw err;
  });
  try {
    const url = webUiUrl(deps.config);
    const upstream = webUiUpstream(deps.config);
    const app = await buildApp({
      config: deps.config,
      client,
      provider: deps.provider,
      keys: deps.keys,
      logger: deps.logger,
      sessionKeyring: keyStoreKeyring(deps.config),
      apiKeys: access.apiKeys,
      ...(access.billingCodes ? { billingCodes: access.billingCodes } : {}),
      watchedFiles: access.files,
      ...(url ? { webUiUrl: url } : {}),
      ...(upstream ? { webUiUpstream: upstream } : {}),
    });
    await ensureSchedules(client, deps);
    await app.listen({ host: deps.config.HOST, port: deps.config.PORT });
    return {
      app,
      access,
      reload: () => access.reload(),
      async close() {
        access.close();
        await app.close();
        await client.connection.close();
      },
    };
  } catch (err) {
    access.close();
    await client.connection.close();
    throw err;
  }
}
