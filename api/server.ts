import { ConfigError, loadConfigOrExit } from '../config/config';
import { ownerOnlyFiles } from '../config/data-dir';
import { checkTemporalConnection } from '../config/temporal-check';
import { onStopRequest } from '../config/lifecycle';
import { createLogger } from '../config/logger';
import { createServiceDeps } from '../config/dependencies';
import { accessNotice } from './auth/access-config';
import { serveApi } from './serve';

// `npm run api`: the API role alone, for production. SIGINT/SIGTERM stop accepting, finish requests, then exit;
// SIGHUP reads the keys and billing codes files again (as a change to either does).
async function run(): Promise<void> {
  const config = loadConfigOrExit();
  ownerOnlyFiles();
  const logger = createLogger(config, 'api');
  await checkTemporalConnection(config.temporal);
  logger.info(`Temporal: ${config.temporal.summary}`);
  const { provider, keys, payloadCodecs } = await createServiceDeps(config);
  const api = await serveApi({ config, provider, keys, payloadCodecs, logger });
  console.log(`machine images API on http://${config.HOST}:${config.PORT}\n${accessNotice(api.access).join('\n')}`);
  onStopRequest(
    (reason) => {
      logger.info({ reason }, 'stopping the API');
      api.close().then(
        () => process.exit(0),
        (err) => {
          logger.error({ err }, 'the API did not stop cleanly');
          process.exit(1);
        },
      );
    },
    { reload: () => api.reload() },
  );
}

run().catch((err) => {
  // A configuration problem is a sentence for a person; anything else keeps its stack.
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
