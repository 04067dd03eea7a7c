import { NativeConnection } from '@temporalio/worker';
import { loadConfig, temporalAddress } from '../config/config';
import { onStopRequest } from '../config/lifecycle';
import { createLogger } from '../config/logger';
import { createProvider } from '../providers/registry';
import { installRuntime } from './runtime';
import { createWorker } from './worker';

// `npm run worker`: the worker role alone, for production. SIGINT/SIGTERM drain it: running activities finish first.
async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'worker');
  installRuntime(logger);
  const connection = await NativeConnection.connect({ address: temporalAddress(config) });
  try {
    const worker = await createWorker({ config, connection, provider: createProvider(config) });
    onStopRequest((reason) => {
      logger.info({ reason }, 'draining the worker');
      worker.shutdown();
    });
    logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE }, 'worker polling');
    await worker.run();
  } finally {
    await connection.close();
  }
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
