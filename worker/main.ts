import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, temporalAddress } from '../config/config';
import { onStopRequest } from '../config/lifecycle';
import { createLogger } from '../config/logger';
import { createServiceDeps } from '../config/dependencies';
import { installRuntime } from './runtime';
import { startWorker } from './worker';

// `npm run worker`: the worker role alone, for production. SIGINT/SIGTERM drain it: running activities finish first.
async function run(): Promise<void> {
  const config = loadConfig();
  if (config.WORKFLOW_BUNDLE && !existsSync(config.WORKFLOW_BUNDLE)) {
    throw new ConfigError(`WORKFLOW_BUNDLE=${config.WORKFLOW_BUNDLE}: no such file; build it with \`npm run workflows:bundle -- ${config.WORKFLOW_BUNDLE}\` or unset it`);
  }
  const logger = createLogger(config, 'worker');
  installRuntime(logger, config.WORKER_METRICS_ADDRESS ? { metricsAddress: config.WORKER_METRICS_ADDRESS } : {});
  const worker = await startWorker({
    config,
    address: temporalAddress(config),
    ...(config.WORKFLOW_BUNDLE ? { workflowBundle: { codePath: config.WORKFLOW_BUNDLE } } : {}),
    ...(await createServiceDeps(config)),
  });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE }, 'worker polling');
  onStopRequest((reason) => {
    logger.info({ reason }, 'draining the worker');
    void worker.stop();
  });
  await worker.running;
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
