import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../config/logger';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Routes the SDK's logs (worker, workflow and activity loggers) into pino. Workflow and activity
 * entries carry workflowId, runId and activity fields in their meta, so every line says which run it is about.
 */
export function installRuntime(logger: Logger, options: { metricsAddress?: string } = {}): void {
  const level =
    logger.level === 'silent'
      ? 'ERROR'
      : (Object.entries(LEVELS).find(([, v]) => v === logger.level)?.[0] as LogLevel | undefined);
  Runtime.install({
    logger: new DefaultLogger(level ?? 'INFO', (entry) => {
      logger[LEVELS[entry.level]]({ ...entry.meta }, entry.message);
    }),
    // Entry points order their own shutdown (config/lifecycle.ts), so the SDK must not race them.
    shutdownSignals: [],
    // The SDK's own figures (workflow and activity task latencies, slots, cache, polls) for Prometheus.
    ...(options.metricsAddress
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: options.metricsAddress } } } }
      : {}),
  });
}
