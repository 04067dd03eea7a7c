import type { FastifyInstance } from 'fastify';
import { webUiUrl, type Config } from '../config/config';
import type { Logger } from '../config/logger';
import type { ServiceDeps } from '../config/dependencies';
import { buildApp } from './app';
import { connectClient } from './temporal-client';

export interface ServingApi {
  app: FastifyInstance;
  /** Stops accepting, finishes requests in flight, closes the Temporal connection. */
  close(): Promise<void>;
}

/** The API role: a Temporal client, the app, and a listening socket. */
export async function serveApi(deps: Pick<ServiceDeps, 'provider' | 'keys'> & { config: Config; logger: Logger }): Promise<ServingApi> {
  const client = await connectClient(deps.config);
  try {
    const url = webUiUrl(deps.config);
    const app = await buildApp({ config: deps.config, client, provider: deps.provider, keys: deps.keys, logger: deps.logger, ...(url ? { webUiUrl: url } : {}) });
    await app.listen({ host: deps.config.HOST, port: deps.config.PORT });
    return {
      app,
      async close() {
        await app.close();
        await client.connection.close();
      },
    };
  } catch (err) {
    await client.connection.close();
    throw err;
  }
}
