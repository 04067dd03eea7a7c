import { z } from 'zod';
import { loadTemporalSettings, TemporalSettingsError, type TemporalSettings } from './temporal-settings';

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
  /** Unset: the profile's namespace (TEMPORAL_PROFILE), else `default`. */
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('machine-images'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI_PATH: optionalText,
  /** The Temporal Web UI's address, for links from launches; unset: the one the API serves under /temporal, if any. */
  TEMPORAL_UI_URL: optionalText,
  /**
   * A Temporal Web UI server the API serves under its own origin at /temporal (a reverse proxy), so the console's
   * session reaches the codec endpoint with no cross-origin setting. The UI server must run with the public path
   * /temporal (TEMPORAL_UI_PUBLIC_PATH) and the codec endpoint /codec. Unset: the dev server's UI when `npm start`
   * runs one, else none.
   */
  TEMPORAL_UI_UPSTREAM: optionalText.pipe(
    z
      .string()
      .max(2048)
      .regex(
        /^https?:\/\/[^/\s]+\/?$/,
        'expected the UI server as http(s)://host:port, for example http://temporal-ui:8080',
      )
      .optional(),
  ),
  PROVIDER: z.enum(['sim', 'aws', 'qemu']).default('sim'),
  SIM_TIME_SCALE: z.coerce.number().min(0).max(100).default(0.1),
  /** A fault plan for the simulated cloud, as JSON (providers/README.md); none by default. */
  SIM_FAULTS: optionalText,
  /** The simulated account this service acts as: two services over one DATA_DIR with different ids can share images. */
  SIM_ACCOUNT_ID: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'use 3 to 64 lowercase letters, digits and hyphens')
    .min(3)
    .max(64)
    .default('sim-account'),
  /** Less than the sim's full set of capabilities, as JSON (providers/README.md); the full set by default. */
  SIM_CAPABILITIES: optionalText,
  /** Where the qemu driver's base image is built and kept; unset: ~/.cache/machine-images/qemu (shared by every checkout). */
  QEMU_IMAGE_CACHE: optionalText,
  /** auto: KVM where it boots a guest here, else TCG (software emulation); or kvm, tcg. */
  QEMU_ACCEL: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
  /** Guests the qemu driver runs at once; a launch beyond it answers QuotaExceeded. */
  QEMU_MAX_GUESTS: z.coerce.number().int().min(1).max(256).default(4),
  /** Memory of the qemu driver's running guests together, in MiB. */
  QEMU_MAX_MEMORY_MB: z.coerce.number().int().min(256).max(4_194_304).default(8192),
  AWS_ENDPOINT_URL: optionalText,
  AWS_REGION: optionalText,
  /** JSON {keys: [{principal, role, groups, sha256}]}; unset: one admin key generated into DATA_DIR/dev-api-key. */
  API_KEYS_FILE: optionalText,
  /** JSON array of billing codes {code, name, active, groups, quota: {soft, hard}}; unset: any code, no quota. */
  BILLING_CODES_FILE: optionalText,
  /** Requests per minute per API key (per address for requests without one). */
  API_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** Origins allowed to call the API from a browser, comma-separated; unset: none (CORS off). */
  CORS_ORIGINS: optionalText,
  /** A JSON array of template families whose schedules the API ensures at start-up; unset: none. */
  FAMILIES_FILE: optionalText,
  /** Seconds after a workflow closed without completing before the reaper removes what it left (a cloud's listings lag). */
  REAPER_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .default(600),
  /** Seconds a cancelled stuck workflow (its workflow task keeps failing) has to recover before the API's cancel terminates it. */
  STUCK_CANCEL_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 3600)
    .default(60),
  /** The key store's keyring, `id:base64` (32 bytes) comma-separated, newest first, or one bare base64 key; unset: DATA_DIR/key-store.key. */
  KEY_STORE_MASTER_KEY: optionalText,
  /** Whether every Temporal client and worker seals payloads with AES-256-GCM (on by default). */
  PAYLOAD_CODEC: z.enum(['on', 'off']).default('on'),
  /** The payload codec's keyring in the same form as KEY_STORE_MASTER_KEY; unset: DATA_DIR/payload-codec.keys (mode 0600). */
  PAYLOAD_CODEC_KEYS: optionalText,
  /** Who prepares volumes in the guest and probes it: auto (sim for the sim, ssh otherwise), sim, ssh, none. */
  GUEST_EXECUTOR: z.enum(['auto', 'sim', 'ssh', 'none']).default('auto'),
  GUEST_SSH_USER: z.string().min(1).default('root'),
  /**
   * Workflows the worker keeps in memory between tasks: enough for the launches one worker has taking steps at once.
   * A launch out of the cache is replayed by the next task that reaches it. Launches waiting for readiness need no
   * place in it: their waits are followed outside the cache and their reads answered from the waits' heartbeats
   * (bench/in-flight.ts: 2,000 parked with a cache of 500, 1,500 evicted and none replayed: 666 MiB resident; with
   * 2,000 cached, 1,149 MiB; about 0.32 MiB a cached launch). Unset: 1,000, or fewer where the heap is small
   * (worker/worker.ts, defaultCachedWorkflows).
   */
  WORKER_MAX_CACHED_WORKFLOWS: optionalText.pipe(
    z.coerce.number<string | undefined>().int().min(0).max(100_000).optional(),
  ),
  /**
   * Worker Deployment Versioning: with a deployment name, the worker polls as version `name.buildId`, and each
   * workflow stays on the version it started on (pinned) while workers of that version run; a rolling deploy starts
   * workers of the new version beside the old, makes it current, and stops the old ones once drained (README).
   * Unset: unversioned workers, as on a laptop.
   */
  WORKER_DEPLOYMENT_NAME: optionalText.pipe(
    z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and -')
      .optional(),
  ),
  /** The build id of this worker's workflow code; unset: a hash of the workflow code itself (workflows/, domain/, or WORKFLOW_BUNDLE). */
  WORKER_BUILD_ID: optionalText.pipe(
    z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _, . and -')
      .optional(),
  ),
  /**
   * When a new worker makes its version the current one (where new workflows start): `if-none` only on a first
   * deploy (the deployment has no current version yet), `always` at once (rolling restarts), `never` (the operator
   * runs `temporal worker deployment set-current-version`).
   */
  WORKER_VERSION_PROMOTE: z.enum(['if-none', 'always', 'never']).default('if-none'),
  /** A workflow bundle built ahead of time (`npm run workflows:bundle`); unset: the worker bundles workflows/ at start-up. */
  WORKFLOW_BUNDLE: optionalText,
  /** host:port where the worker serves its Temporal SDK metrics for Prometheus (`/metrics`); unset: none. */
  WORKER_METRICS_ADDRESS: optionalText.pipe(
    z
      .string()
      .regex(/^[^\s:]+:\d+$/, 'expected host:port, for example 0.0.0.0:9464')
      .optional(),
  ),
  /**
   * Reads a second each worker makes of the cloud's API per region (a token bucket; providers/call-budget.ts). Unset:
   * the cloud's own rate (aws: EC2's 20 a second for an account's non-mutating calls), none on the sim and qemu,
   * which meter nothing. With several workers on one account, give each its share. Throttled reads halve it for a
   * while. 0: no budget.
   */
  CLOUD_CALL_RATE: optionalText.pipe(z.coerce.number<string | undefined>().min(0).max(10_000).optional()),
  /** Reads that may go at once after a quiet spell (the bucket's size). Unset: the cloud's own (aws: 100). */
  CLOUD_CALL_BURST: optionalText.pipe(z.coerce.number<string | undefined>().int().min(1).max(100_000).optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof ConfigSchema> & {
  /** The Temporal connection: TEMPORAL_* variables and the profile they name (config/temporal-settings.ts). */
  temporal: TemporalSettings;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the configuration; a bad value throws a ConfigError that names each variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (parsed.success) {
    let temporal: TemporalSettings;
    try {
      temporal = loadTemporalSettings(env, { port: parsed.data.TEMPORAL_PORT });
    } catch (err) {
      if (err instanceof TemporalSettingsError)
        throw new ConfigError(
          `invalid Temporal connection settings:\n  ${err.message}\nFix it (see README.md, Run on your Temporal) and start again.`,
        );
      throw err;
    }
    // A profile may name the address and the namespace; the rest of the service reads them here.
    return {
      ...parsed.data,
      TEMPORAL_ADDRESS: temporal.configured ? temporal.address : undefined,
      TEMPORAL_NAMESPACE: temporal.namespace,
      temporal,
    };
  }
  const problems = parsed.error.issues.map((issue) => {
    const variable = issue.path.join('.');
    const given = env[variable];
    return `${variable}=${JSON.stringify(given ?? '')}: ${issue.message}`;
  });
  throw new ConfigError(
    `invalid configuration:\n  ${problems.join('\n  ')}\nFix these environment variables (see README.md, Configuration) and start again.`,
  );
}

/** Where the API serves the Temporal Web UI, when it proxies one (TEMPORAL_UI_UPSTREAM, or `npm start`'s dev server). */
export const WEB_UI_PATH = '/temporal';

/** The Web UI server the API proxies under WEB_UI_PATH: the configured one, or `npm start`'s dev server's. */
export function webUiUpstream(
  config: Pick<Config, 'TEMPORAL_UI_UPSTREAM' | 'TEMPORAL_ADDRESS' | 'TEMPORAL_UI_PORT'>,
): string | undefined {
  if (config.TEMPORAL_UI_UPSTREAM) return config.TEMPORAL_UI_UPSTREAM.replace(/\/$/, '');
  return config.TEMPORAL_ADDRESS ? undefined : `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`;
}

/**
 * Where launches link to in the Temporal Web UI: the configured UI, or the path the API serves it under (a link
 * relative to the API's own origin, so a browser keeps the console's session on it whatever host name it used).
 */
export function webUiUrl(
  config: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_UI_UPSTREAM' | 'TEMPORAL_ADDRESS' | 'TEMPORAL_UI_PORT'>,
): string | undefined {
  if (config.TEMPORAL_UI_URL) return config.TEMPORAL_UI_URL.replace(/\/$/, '');
  return webUiUpstream(config) ? WEB_UI_PATH : undefined;
}

/** For entry points: a bad setting prints its message (no stack: it is a sentence for a person) and exits 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}
