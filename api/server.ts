import { loadConfig } from '../config/config';
import { onStopRequest } from '../config/lifecycle';
import { createLogger } from '../config/logger';
import { createProvider } from '../providers/registry';
import { buildApp } from './app';
import { connectClient } from './temporal-client';

// `npm run api`: the API role alone, for production. SIGINT/SIGTERM stop accepting, finish requests, then exit.
async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'api');
  const client = await connectClient(config);
  const app = await buildApp({ config, client, logger, provider: createProvider(config) });
  const close = async () => {
    await app.close();
    await client.connection.close();
  };
  onStopRequest((reason) => {
    logger.info({ reason }, 'stopping the API');
    close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'the API did not stop cleanly');
        process.exit(1);
      },
    );
  });
  await app.listen({ host: config.HOST, port: config.PORT });
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
