import '../config/start-tracing';
import { ConfigError, loadConfigOrExit } from '../config/config';
import { ownerOnlyFiles } from '../config/data-dir';
import { checkTemporalConnection } from '../config/temporal-check';
import { onStopRequest } from '../config/lifecycle';
import { createLogger } from '../config/logger';
import { createServiceDeps } from '../config/dependencies';
import { isTracing, stopTracing } from '../config/tracing';
import { withCallSpans } from '../providers/call-spans';
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
  // While tracing, the API's own cloud calls (catalog reads) get spans as the worker's do.
  const traced = isTracing() ? withCallSpans(provider) : provider;
  const api = await serveApi({ config, provider: traced, keys, payloadCodecs, logger });
  console.log(`machine images API on http://${config.HOST}:${config.PORT}\n${accessNotice(api.access).join('\n')}`);
  onStopRequest(
    (reason) => {
      logger.info({ reason }, 'stopping the API');
      // The spans of the last requests are sent before the process exits.
      api.close().then(
        () => stopTracing().then(() => process.exit(0)),
        (err) => {
          logger.error({ err }, 'the API did not stop cleanly');
          void stopTracing().then(() => process.exit(1));
        },
      );
    },
    { reload: () => api.reload() },
  );
}

run().catch(async (err) => {
  // A configuration problem is a sentence for a person; anything else keeps its stack.
  console.error(err instanceof ConfigError ? err.message : err);
  await stopTracing();
  process.exit(1);
});
