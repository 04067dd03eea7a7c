import { loadConfig } from '../config/config';
import { onStopRequest } from '../config/lifecycle';
import { createLogger } from '../config/logger';
import { createServiceDeps } from '../config/dependencies';
import { accessNotice } from './auth/access-config';
import { serveApi } from './serve';

// `npm run api`: the API role alone, for production. SIGINT/SIGTERM stop accepting, finish requests, then exit.
async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'api');
  const { provider, keys, payloadCodecs } = await createServiceDeps(config);
  const api = await serveApi({ config, provider, keys, payloadCodecs, logger });
  console.log(`machine images API on http://${config.HOST}:${config.PORT}\n${accessNotice(api.access).join('\n')}`);
  onStopRequest((reason) => {
    logger.info({ reason }, 'stopping the API');
    api.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'the API did not stop cleanly');
        process.exit(1);
      },
    );
  });
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
