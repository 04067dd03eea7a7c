import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config';
import type { Logger } from '../config/logger';
import type { CloudProvider } from '../providers/cloud-provider';
import { buildApp } from './app';
import { connectClient } from './temporal-client';

export interface ServingApi {
  app: FastifyInstance;
  /** Stops accepting, finishes requests in flight, closes the Temporal connection. */
  close(): Promise<void>;
}

/** The API role: a Temporal client, the app, and a listening socket. */
export async function serveApi(deps: { config: Config; provider: CloudProvider; logger: Logger }): Promise<ServingApi> {
  const client = await connectClient(deps.config);
  try {
    const app = await buildApp({ config: deps.config, client, provider: deps.provider, logger: deps.logger });
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
