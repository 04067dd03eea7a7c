import type { Config } from '../../config/config';
import type { Logger } from '../../config/logger';
import { WatchedFile, type WatchedFileStatus } from '../../config/watched-file';
import type { BillingCode } from '../../domain/billing-codes';
import { readBillingCodesFile } from '../billing/billing-gate';
import { readApiKeysFile, type ApiKeys } from './api-keys';
import { devApiKey } from './dev-api-key';

export interface AccessConfig {
  /** The keys in force now: API_KEYS_FILE's last good version, or the generated dev key. */
  apiKeys: () => ApiKeys;
  /** The billing codes in force now; absent without BILLING_CODES_FILE (not enforced). */
  billingCodes?: () => ReadonlyMap<string, BillingCode>;
  /** Set when there is no API_KEYS_FILE: the generated admin key, to be shown on the first start only. */
  devKey?: { token: string; file: string; created: boolean };
  /** The files read again when they change and on reload(). */
  files: readonly WatchedFileStatus[];
  /** Reads every file again now (SIGHUP). */
  reload(): void;
  /** Stops watching the files. */
  close(): void;
}

/**
 * The keys file and billing codes file, or the laptop's defaults: one generated admin key, billing codes not enforced.
 * Both files are watched: a key removed from API_KEYS_FILE is refused within seconds by every replica, no restart.
 */
export function loadAccessConfig(
  config: Pick<Config, 'API_KEYS_FILE' | 'BILLING_CODES_FILE' | 'DATA_DIR'>,
  logger: Logger,
): AccessConfig {
  const files: WatchedFile<unknown>[] = [];
  const watch = <T>(variable: string, file: string, read: (file: string) => T): WatchedFile<T> => {
    const watched = new WatchedFile(variable, file, read, logger);
    files.push(watched);
    return watched;
  };
  const close = () => files.forEach((file) => file.close());
  try {
    const codes = config.BILLING_CODES_FILE
      ? watch('BILLING_CODES_FILE', config.BILLING_CODES_FILE, readBillingCodesFile)
      : undefined;
    const keys = config.API_KEYS_FILE ? watch('API_KEYS_FILE', config.API_KEYS_FILE, readApiKeysFile) : undefined;
    const common = {
      ...(codes ? { billingCodes: () => codes.current } : {}),
      files,
      reload: () => files.forEach((file) => file.reload('SIGHUP')),
      close,
    };
    if (keys) return { apiKeys: () => keys.current, ...common };
    const { keys: devKeys, ...devKey } = devApiKey(config.DATA_DIR);
    return { apiKeys: () => devKeys, devKey, ...common };
  } catch (err) {
    close();
    throw err;
  }
}

/** What to tell the operator about keys: the dev key in full the first time, where it is afterwards. */
export function accessNotice(access: AccessConfig): string[] {
  const lines: string[] = [];
  if (access.devKey?.created)
    lines.push(`  Dev admin API key (shown once, kept in ${access.devKey.file}):`, `    ${access.devKey.token}`);
  else if (access.devKey) lines.push(`  Dev admin API key: in ${access.devKey.file} (Authorization: Bearer <key>)`);
  else lines.push(`  API keys:         ${access.apiKeys().size} from API_KEYS_FILE (read again when it changes)`);
  lines.push(
    access.billingCodes
      ? `  Billing codes:    ${access.billingCodes().size} from BILLING_CODES_FILE (read again when it changes)`
      : '  Billing codes:    not enforced (BILLING_CODES_FILE unset)',
  );
  return lines;
}
