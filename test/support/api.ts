import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../api/app';
import { startTestWorker } from './temporal';

/** The API built on a real Temporal client, with a real worker behind it; requests go through inject(). */
export async function startTestApi() {
  const temporal = await startTestWorker();
  const app: FastifyInstance = await buildApp({
    config: { ...temporal.config, PROVIDER: 'sim' },
    client: temporal.client,
    provider: temporal.provider,
    keys: temporal.keys,
    logger: pino({ level: process.env.TEST_API_LOG ?? 'silent' }),
    webUiUrl: 'http://temporal-ui.test',
  });
  return {
    app,
    temporal,
    async stop() {
      await app.close();
      await temporal.stop();
    },
  };
}
