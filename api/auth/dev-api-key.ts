import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApiKeys, hashApiKey, newApiKeyToken } from './api-keys';

export const DEV_API_KEY_FILE = 'dev-api-key';

/**
 * With no API_KEYS_FILE, one admin key for the laptop: generated into DATA_DIR/dev-api-key (0600) on the first
 * start and kept, so restarts do not log the operator out. `created` tells the caller to print it, once.
 */
export function devApiKey(dataDir: string): { keys: ApiKeys; token: string; file: string; created: boolean } {
  const file = path.resolve(dataDir, DEV_API_KEY_FILE);
  mkdirSync(path.dirname(file), { recursive: true });
  let created = false;
  try {
    // 'wx': a second process starting at the same moment keeps the first one's key.
    writeFileSync(file, newApiKeyToken() + '\n', { mode: 0o600, flag: 'wx' });
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  chmodSync(file, 0o600);
  const token = readFileSync(file, 'utf8').trim();
  if (!token) throw new Error(`${file} is empty; delete it to have a new dev API key generated`);
  const keys = new ApiKeys([{ principal: 'dev-admin', role: 'admin', groups: ['*'], sha256: hashApiKey(token) }]);
  return { keys, token, file, created };
}
