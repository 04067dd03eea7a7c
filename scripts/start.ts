import '../config/start-tracing';
import path from 'node:path';
import { ownerOnlyFiles, privateDataDir } from '../config/data-dir';
import { accessNotice } from '../api/auth/access-config';
import { serveApi, type ServingApi } from '../api/serve';
import { ConfigError, loadConfigOrExit, WEB_UI_PATH } from '../config/config';
import { checkTemporalConnection } from '../config/temporal-check';
import { onStopRequest } from '../config/lifecycle';
import { createLogger } from '../config/logger';
import { createServiceDeps } from '../config/dependencies';
import { isTracing, stopTracing } from '../config/tracing';
import { withCallSpans } from '../providers/call-spans';
import { installRuntime } from '../worker/runtime';
import { startWorker } from '../worker/worker';
import { baseImageDir, ensureBaseImage } from '../providers/qemu/base-image';
import { startDevServer, type DevServer } from './dev-server';
import { locateTemporalCli } from './temporal-cli';

// `npm start`: the whole service on one machine. Without TEMPORAL_ADDRESS it brings up a Temporal dev server
// persisted under DATA_DIR, then the worker and the API in this process. A stop request stops them in reverse;
// SIGHUP reads the API's keys and billing codes files again.

const config = loadConfigOrExit();
const logger = createLogger(config, 'start');
const stack: { name: string; stop: () => Promise<unknown> }[] = [];
let api: ServingApi | undefined;
let stopping: Promise<void> | undefined;

async function stopAll(exitCode: number): Promise<never> {
  stopping ??= (async () => {
    for (const part of stack.reverse()) {
      try {
        await part.stop();
        logger.info(`stopped ${part.name}`);
      } catch (err) {
        logger.error({ err }, `stopping ${part.name} failed`);
      }
    }
  })();
  await stopping;
  process.exit(exitCode);
}

async function run(): Promise<void> {
  // Last to stop: the spans of everything stopped before it are sent.
  stack.push({ name: 'tracing', stop: () => stopTracing() });
  ownerOnlyFiles();
  const dataDir = privateDataDir(path.resolve(config.DATA_DIR));
  // First: the SDK's runtime is process-wide, and the dev server's SDK fallback would otherwise create a default one.
  installRuntime(
    createLogger(config, 'worker'),
    config.WORKER_METRICS_ADDRESS ? { metricsAddress: config.WORKER_METRICS_ADDRESS } : {},
  );

  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}`;
  let devServer: DevServer | undefined;
  if (!config.TEMPORAL_ADDRESS) {
    const cli = locateTemporalCli({ cliPath: config.TEMPORAL_CLI_PATH, say: (message) => logger.info(message) });
    devServer = await startDevServer({
      cli,
      port: config.TEMPORAL_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFile: path.join(dataDir, 'temporal.db'),
      namespace: config.TEMPORAL_NAMESPACE,
      // Served by the API under its own origin (api/routes/web-ui.ts), where the codec endpoint is the API's own
      // /codec (the UI appends /decode): the console's session cookie goes with it, whatever host name the browser used.
      uiPublicPath: WEB_UI_PATH,
      ...(config.PAYLOAD_CODEC === 'on' ? { codecEndpoint: '/codec' } : {}),
      say: (message) => logger.info(message),
    });
    stack.push({ name: 'the Temporal dev server', stop: () => devServer!.stop() });
  } else {
    // Your own Temporal: a wrong setting fails here, named, before anything else starts.
    await checkTemporalConnection(config.temporal);
    logger.info(`Temporal: ${config.temporal.summary}`);
  }

  if (config.PROVIDER === 'qemu') {
    // Before the worker: a launch needs the base image, and the first build takes minutes (it says so).
    await ensureBaseImage(baseImageDir(config.QEMU_IMAGE_CACHE), (message) => logger.info(message));
  }

  // One set of dependencies for both roles in this process (the sim's and the key store's files are shared all the same).
  const deps = await createServiceDeps(config);
  const { provider } = deps;
  const worker = await startWorker({ config, temporal: config.temporal, ...deps });
  stack.push({ name: 'the worker', stop: () => worker.stop() });
  worker.running.catch((err) => {
    logger.error({ err }, 'the worker stopped unexpectedly; stopping the service');
    void stopAll(1);
  });

  const serving = await serveApi({
    config,
    ...deps,
    // The worker puts spans around its own calls (worker/worker.ts); these are the API's catalog reads.
    provider: isTracing() ? withCallSpans(provider) : provider,
    logger: createLogger(config, 'api'),
  });
  api = serving;
  stack.push({ name: 'the API', stop: () => serving.close() });

  const lines = [
    'machine images service is up',
    `  Console:          ${url}/`,
    `  API:              ${url}/v1`,
    `  OpenAPI docs:     ${url}/docs`,
    `  Readiness:        ${url}/v1/ready`,
    config.PAYLOAD_CODEC === 'on' ? `  Payload codec:    ${url}/codec (AES-256-GCM; decode/encode for admins)` : '',
    devServer
      ? `  Temporal Web UI:  ${url}${WEB_UI_PATH} (decoded for an admin signed in to the console)`
      : `  Temporal cluster: ${config.temporal.summary}`,
    `  Temporal:         ${config.temporal.address} (namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE})`,
    `  Cloud:            ${provider.name}${provider.name === 'sim' ? ` (${path.join(dataDir, 'sim-cloud.db')}, SIM_TIME_SCALE=${config.SIM_TIME_SCALE})` : ''}`,
    devServer ? `  Data:             ${dataDir}` : '',
    ...accessNotice(serving.access),
    'Press Ctrl+C to stop.',
  ].filter(Boolean);
  console.log(lines.join('\n'));
}

onStopRequest(
  (reason) => {
    logger.info({ reason }, 'stopping the service');
    void stopAll(0);
  },
  { reload: () => api?.reload() },
);

run().catch(async (err) => {
  if (err instanceof ConfigError) logger.error(err.message);
  else logger.error({ err }, 'the service failed to start');
  await stopAll(1);
});
