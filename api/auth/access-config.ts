import type { Config } from '../../config/config';
import type { BillingCode } from '../../domain/billing-codes';
import { readBillingCodesFile } from '../billing/billing-gate';
import { readApiKeysFile, type ApiKeys } from './api-keys';
import { devApiKey } from './dev-api-key';

export interface AccessConfig {
  apiKeys: ApiKeys;
  billingCodes?: ReadonlyMap<string, BillingCode>;
  /** Set when there is no API_KEYS_FILE: the generated admin key, to be shown on the first start only. */
  devKey?: { token: string; file: string; created: boolean };
}

/** The keys file and billing codes file, or the laptop's defaults: one generated admin key, billing codes not enforced. */
export function loadAccessConfig(
  config: Pick<Config, 'API_KEYS_FILE' | 'BILLING_CODES_FILE' | 'DATA_DIR'>,
): AccessConfig {
  const billingCodes = config.BILLING_CODES_FILE ? readBillingCodesFile(config.BILLING_CODES_FILE) : undefined;
  if (config.API_KEYS_FILE)
    return { apiKeys: readApiKeysFile(config.API_KEYS_FILE), ...(billingCodes ? { billingCodes } : {}) };
  const { keys, token, file, created } = devApiKey(config.DATA_DIR);
  return { apiKeys: keys, ...(billingCodes ? { billingCodes } : {}), devKey: { token, file, created } };
}

/** What to tell the operator about keys: the dev key in full the first time, where it is afterwards. */
export function accessNotice(access: AccessConfig): string[] {
  const lines: string[] = [];
  if (access.devKey?.created)
    lines.push(`  Dev admin API key (shown once, kept in ${access.devKey.file}):`, `    ${access.devKey.token}`);
  else if (access.devKey) lines.push(`  Dev admin API key: in ${access.devKey.file} (Authorization: Bearer <key>)`);
  else lines.push(`  API keys:         ${access.apiKeys.size} from API_KEYS_FILE`);
  lines.push(
    access.billingCodes
      ? `  Billing codes:    ${access.billingCodes.size} from BILLING_CODES_FILE`
      : '  Billing codes:    not enforced (BILLING_CODES_FILE unset)',
  );
  return lines;
}
