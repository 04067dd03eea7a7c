import { z } from 'zod';

// Every setting the service reads, with defaults that let `npm start` run with nothing set.
// Names are shared with README.md, docker-compose.yml and the tests (../shared/ARCHITECTURE.md).
const port = z.coerce.number().int().min(1).max(65535);
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

export const ConfigSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  DATA_DIR: z.string().min(1).default('.data'),
  TEMPORAL_ADDRESS: optionalText.pipe(
    z
      .string()
      .regex(/^[^\s:]+:\d+$/, 'expected host:port, for example temporal.internal:7233')
      .optional(),
  ),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('machine-images'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI_PATH: optionalText,
  /** The Temporal Web UI's address, for links from launches; unset: the dev server's when `npm start` runs one. */
  TEMPORAL_UI_URL: optionalText,
  PROVIDER: z.enum(['sim', 'aws', 'qemu']).default('sim'),
  SIM_TIME_SCALE: z.coerce.number().min(0).max(100).default(0.1),
  /** A fault plan for the simulated cloud, as JSON (providers/README.md); none by default. */
  SIM_FAULTS: optionalText,
  AWS_ENDPOINT_URL: optionalText,
  AWS_REGION: optionalText,
  API_KEYS_FILE: optionalText,
  /** A JSON array of template families whose schedules the API ensures at start-up; unset: none. */
  FAMILIES_FILE: optionalText,
  /** Base64 of 32 bytes; unset: a key file is generated under DATA_DIR with mode 0600. */
  KEY_STORE_MASTER_KEY: optionalText,
  /** Who prepares volumes in the guest and probes it: auto (sim for the sim, ssh otherwise), sim, ssh, none. */
  GUEST_EXECUTOR: z.enum(['auto', 'sim', 'ssh', 'none']).default('auto'),
  GUEST_SSH_USER: z.string().min(1).default('root'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the configuration; a bad value throws a ConfigError that names each variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const variable = issue.path.join('.');
    const given = env[variable];
    return `${variable}=${JSON.stringify(given ?? '')}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}\nFix these environment variables (see README.md, Configuration) and start again.`);
}

/** The Temporal frontend to use: the cluster's, or the dev server's that `npm start` brings up on TEMPORAL_PORT. */
export function temporalAddress(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_PORT'>): string {
  return config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`;
}

/** Where launches link to in the Temporal Web UI: the configured UI, or the one `npm start`'s dev server serves. */
export function webUiUrl(config: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_ADDRESS' | 'TEMPORAL_UI_PORT'>): string | undefined {
  if (config.TEMPORAL_UI_URL) return config.TEMPORAL_UI_URL.replace(/\/$/, '');
  return config.TEMPORAL_ADDRESS ? undefined : `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`;
}
