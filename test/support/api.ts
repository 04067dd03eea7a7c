import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../api/app';
import type { Config } from '../../config/config';
import { startTestWorker, type TestWorkerOptions } from './temporal';

/** The API built on a real Temporal client, with a real worker behind it (the sim's by default); requests go through inject(). */
export async function startTestApi(options: TestWorkerOptions = {}) {
  const temporal = await startTestWorker(options);
  const app: FastifyInstance = await buildApp({
    config: { ...temporal.config, PROVIDER: temporal.provider.name as Config['PROVIDER'] },
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
