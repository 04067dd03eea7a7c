import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import { buildApp } from '../api/app';
import { connectClient } from '../api/temporal-client';
import { loadConfig, temporalAddress } from '../config/config';
import { onStopRequest } from '../config/lifecycle';
import { createLogger } from '../config/logger';
import { createProvider } from '../providers/registry';
import { installRuntime } from '../worker/runtime';
import { createWorker } from '../worker/worker';
import { startDevServer, type DevServer } from './dev-server';
import { locateTemporalCli } from './temporal-cli';

// `npm start`: the whole service on one machine. Without TEMPORAL_ADDRESS it brings up a Temporal dev server
// persisted under DATA_DIR, then the worker and the API in this process. SIGINT/SIGTERM stop all of them, in reverse.

const config = loadConfig();
const logger = createLogger(config, 'start');
const stack: { name: string; stop: () => Promise<unknown> }[] = [];
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
  const dataDir = path.resolve(config.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  let devServer: DevServer | undefined;
  if (!config.TEMPORAL_ADDRESS) {
    const cli = locateTemporalCli({ cliPath: config.TEMPORAL_CLI_PATH, say: (message) => logger.info(message) });
    devServer = await startDevServer({
      cli,
      port: config.TEMPORAL_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFile: path.join(dataDir, 'temporal.db'),
      namespace: config.TEMPORAL_NAMESPACE,
      say: (message) => logger.info(message),
    });
    stack.push({ name: 'the Temporal dev server', stop: () => devServer!.stop() });
  }

  installRuntime(createLogger(config, 'worker'));
  const connection = await NativeConnection.connect({ address: temporalAddress(config) });
  stack.push({ name: 'the worker connection', stop: () => connection.close() });
  // One provider for both roles in this process (the sim's SQLite file is shared all the same).
  const provider = createProvider(config);
  const worker: Worker = await createWorker({ config, connection, provider });
  const running = worker.run();
  stack.push({ name: 'the worker', stop: async () => { worker.shutdown(); await running; } });
  running.catch((err) => {
    logger.error({ err }, 'the worker stopped unexpectedly; stopping the service');
    void stopAll(1);
  });

  const client: Client = await connectClient(config);
  stack.push({ name: 'the Temporal client', stop: () => client.connection.close() });
  const app: FastifyInstance = await buildApp({ config, client, provider, logger: createLogger(config, 'api') });
  await app.listen({ host: config.HOST, port: config.PORT });
  stack.push({ name: 'the API', stop: () => app.close() });

  const api = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}`;
  const lines = [
    'machine images service is up',
    `  API:              ${api}/v1`,
    `  OpenAPI docs:     ${api}/docs`,
    `  Readiness:        ${api}/v1/ready`,
    devServer ? `  Temporal Web UI:  ${devServer.uiUrl}` : `  Temporal cluster: ${config.TEMPORAL_ADDRESS}`,
    `  Temporal:         ${temporalAddress(config)} (namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE})`,
    devServer ? `  Data:             ${dataDir}` : '',
    'Press Ctrl+C to stop.',
  ].filter(Boolean);
  console.log(lines.join('\n'));
}

onStopRequest((reason) => {
  logger.info({ reason }, 'stopping the service');
  void stopAll(0);
});

run().catch(async (err) => {
  logger.error({ err }, 'the service failed to start');
  await stopAll(1);
});
