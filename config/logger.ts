import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';

export type { Logger } from 'pino';

/** One structured logger per process; each role adds its own name and, where known, workflowId and runId. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, role: string, destination?: DestinationStream): Logger {
  const options = {
    level: config.LOG_LEVEL,
    base: { role },
    // Secrets never belong in logs; these paths catch the ones that can ride on request objects.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.privateKeyPem', '*.passphrase'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
