import '../config/start-tracing';
import { existsSync } from 'node:fs';
import { ConfigError, loadConfigOrExit } from '../config/config';
import { ownerOnlyFiles } from '../config/data-dir';
import { checkTemporalConnection } from '../config/temporal-check';
import { onStopRequest } from '../config/lifecycle';
import { createLogger } from '../config/logger';
import { createServiceDeps } from '../config/dependencies';
import { stopTracing } from '../config/tracing';
import { installRuntime } from './runtime';
import { startWorker } from './worker';

// `npm run worker`: the worker role alone, for production. SIGINT/SIGTERM drain it: running activities finish first.
async function run(): Promise<void> {
  const config = loadConfigOrExit();
  ownerOnlyFiles();
  if (config.WORKFLOW_BUNDLE && !existsSync(config.WORKFLOW_BUNDLE)) {
    throw new ConfigError(
      `WORKFLOW_BUNDLE=${config.WORKFLOW_BUNDLE}: no such file; build it with \`npm run workflows:bundle -- ${config.WORKFLOW_BUNDLE}\` or unset it`,
    );
  }
  const logger = createLogger(config, 'worker');
  installRuntime(logger, config.WORKER_METRICS_ADDRESS ? { metricsAddress: config.WORKER_METRICS_ADDRESS } : {});
  // A wrong setting fails here, named, rather than as a worker that retries in silence.
  await checkTemporalConnection(config.temporal);
  logger.info(`Temporal: ${config.temporal.summary}`);
  const worker = await startWorker({
    config,
    temporal: config.temporal,
    ...(config.WORKFLOW_BUNDLE ? { workflowBundle: { codePath: config.WORKFLOW_BUNDLE } } : {}),
    ...(await createServiceDeps(config)),
    say: (message) => logger.info(message),
  });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE }, 'worker polling');
  onStopRequest((reason) => {
    logger.info({ reason }, 'draining the worker');
    void worker.stop();
  });
  await worker.running;
}

// The spans of the last activities and workflow tasks are sent before the process ends, however it ends.
run()
  .then(() => stopTracing())
  .catch(async (err) => {
    // A configuration problem is a sentence for a person; anything else keeps its stack.
    console.error(err instanceof ConfigError ? err.message : err);
    await stopTracing();
    process.exit(1);
  });
