import { NativeConnection } from '@temporalio/worker';
import { loadConfig, temporalAddress } from '../config/config';
import { createLogger } from '../config/logger';
import { createProvider } from '../providers/registry';
import { installRuntime } from './runtime';
import { createWorker } from './worker';

// `npm run worker`: the worker role alone, for production. SIGINT/SIGTERM drain it gracefully (the SDK's default).
async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'worker');
  installRuntime(logger, { handleSignals: true });
  const connection = await NativeConnection.connect({ address: temporalAddress(config) });
  try {
    const worker = await createWorker({ config, connection, provider: createProvider(config) });
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
