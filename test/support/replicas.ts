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
}

/**
 * API replicas as production runs them behind a load balancer: each with its own Temporal connection and its own
 * reading (and watching) of the keys and billing codes files, all sharing one Temporal, one worker and the files.
 * `logs` holds every JSON line the replicas logged.
 */
export async function startReplicas(count: number, files: { keys: string; billingCodes?: string }) {
  const temporal = await startTestWorker();
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });
  const replicas: Replica[] = [];
  const connections: Connection[] = [];
  const stop = async () => {
    for (const replica of replicas) {
      replica.access.close();
      await replica.app.close();
    }
    for (const connection of connections) await connection.close();
    await temporal.stop();
  };
  try {
    for (let i = 0; i < count; i++) {
      const connection = await Connection.connect({ address: inject('temporalAddress') });
      connections.push(connection);
      const client = new Client({
        connection,
        namespace: temporal.config.TEMPORAL_NAMESPACE,
        dataConverter: { payloadCodecs: temporal.payloadCodecs },
      });
      const access = loadAccessConfig(
        {
          DATA_DIR: mkdtempSync(path.join(tmpdir(), 'replica-')),
          API_KEYS_FILE: files.keys,
          BILLING_CODES_FILE: files.billingCodes,
        },
        logger,
      );
      const app = await buildApp({
        config: { ...temporal.config, PROVIDER: 'sim' },
        client,
        provider: temporal.provider,
        keys: temporal.keys,
        logger: logger.child({ replica: i }),
        webUiUrl: 'http://temporal-ui.test',
        apiKeys: access.apiKeys,
        ...(access.billingCodes ? { billingCodes: access.billingCodes } : {}),
        watchedFiles: access.files,
      });
      replicas.push({ app, access });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { temporal, replicas, logs, stop };
}
