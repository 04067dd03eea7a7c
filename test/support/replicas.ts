import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { inject } from 'vitest';
import { buildApp } from '../../api/app';
import { loadAccessConfig, type AccessConfig } from '../../api/auth/access-config';
import { hashApiKey, newApiKeyToken, type ApiKeyEntry } from '../../api/auth/api-keys';
import type { Role } from '../../domain/access';
import { keyringFromFile } from '../../secrets/keyring';
import { startTestWorker } from './temporal';

/** Writes a file whole, as editors and configuration tools do: a new file renamed over the old one. */
export function replaceFile(file: string, text: string): void {
  writeFileSync(`${file}.new`, text);
  renameSync(`${file}.new`, file);
}

/** A key for the keys file: its token, and its entry (the token's hash only). */
export function newKey(principal: string, role: Role, groups: string[] = ['ops']) {
  const token = newApiKeyToken();
  const entry: ApiKeyEntry = { principal, role, groups, sha256: hashApiKey(token) };
  return { token, entry };
}

export const keysFileText = (...entries: ApiKeyEntry[]) => JSON.stringify({ keys: entries });

export interface Replica {
  app: FastifyInstance;
  access: AccessConfig;
  close(): Promise<void>;
}

/**
 * API replicas as production runs them behind a load balancer: each with its own Temporal connection, its own reading
 * (and watching) of the keys and billing codes files, and its own reading of the keyring file that signs sessions,
 * all sharing one Temporal (one worker), the files and the keyring. `logs` holds every JSON line the replicas logged.
 */
export async function startReplicas(count: number, files: { keys: string; billingCodes?: string; keyring?: string }) {
  const temporal = await startTestWorker();
  const dir = mkdtempSync(path.join(tmpdir(), 'replicas-'));
  const keyringFile = files.keyring ?? path.join(dir, 'key-store.key');
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });

  /** One replica, as a process starting: it reads the files and the keyring as they are now. */
  const startReplica = async (name: string): Promise<Replica> => {
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    const client = new Client({
      connection,
      namespace: temporal.config.TEMPORAL_NAMESPACE,
      dataConverter: { payloadCodecs: temporal.payloadCodecs },
    });
    const access = loadAccessConfig(
      { DATA_DIR: dir, API_KEYS_FILE: files.keys, BILLING_CODES_FILE: files.billingCodes },
      logger.child({ replica: name }),
    );
    const app = await buildApp({
      config: { ...temporal.config, PROVIDER: 'sim' },
      client,
      provider: temporal.provider,
      keys: temporal.keys,
      logger: logger.child({ replica: name }),
      webUiUrl: 'http://temporal-ui.test',
      sessionKeyring: keyringFromFile(keyringFile),
      apiKeys: access.apiKeys,
      ...(access.billingCodes ? { billingCodes: access.billingCodes } : {}),
      watchedFiles: access.files,
    });
    return {
      app,
      access,
      async close() {
        access.close();
        await app.close();
        await connection.close();
      },
    };
  };

  const replicas: Replica[] = [];
  const stop = async () => {
    for (const replica of replicas) await replica.close();
    await temporal.stop();
  };
  try {
    for (let i = 0; i < count; i++) replicas.push(await startReplica(String(i)));
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    temporal,
    replicas,
    keyringFile,
    logs,
    /** Stops replica `i` and starts it again (a restart, as after a key rotation). */
    async restart(i: number) {
      await replicas[i]!.close();
      replicas[i] = await startReplica(`${i}'`);
    },
    stop,
  };
}
