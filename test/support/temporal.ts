import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { inject } from 'vitest';
import type { GuestExecutor } from '../../guest/executor';
import { SimGuestExecutor } from '../../providers/sim/sim-guest-executor';
import type { CloudProvider } from '../../providers/cloud-provider';
import { SimProvider } from '../../providers/sim/sim-provider';
import { FileKeyStore } from '../../secrets/file-key-store';
import { Keyring, parseKeys } from '../../secrets/keyring';
import { PayloadEncryptionCodec } from '../../secrets/payload-codec';
import { startWorker } from '../../worker/worker';

/** Tests read failures from assertions; the SDK's info lines would only bury them. A test may install its own first. */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // already installed by this test file
  }
}

/** A key store of its own in a temporary directory, under a random master key. */
export function testKeyStore(): FileKeyStore {
  return new FileKeyStore(
    path.join(mkdtempSync(path.join(tmpdir(), 'keys-')), 'keys.db'),
    new Keyring([{ id: 'test', key: randomBytes(32) }], 'the test key store'),
  );
}

/** The payload codec key of every test client and worker, fixed so that a worker process a test starts can share it. */
export const TEST_PAYLOAD_CODEC_KEYS = `test-1:${createHash('sha256').update('machine-images test payload codec').digest('base64')}`;

/** Every test runs with payload encryption on, as the service does by default. */
export function testPayloadCodecs(): PayloadCodec[] {
  return [
    new PayloadEncryptionCodec(
      new Keyring(parseKeys(TEST_PAYLOAD_CODEC_KEYS, 'the test payload codec key'), 'the test payload codec key'),
    ),
  ];
}

export interface TestWorkerOptions {
  provider?: CloudProvider;
  /** The guest executor; the sim's by default for a sim provider, none when null. */
  guest?: GuestExecutor | null;
  taskQueue?: string;
  /** A namespace made for the file (test/support/namespace.ts); `default` otherwise. */
  namespace?: string;
  /** The key store, when the test needs the same one (the ssh executor's provisioning key); a new one otherwise. */
  keys?: FileKeyStore;
}

/** A client and a running worker on the run's dev server, on a task queue of this test file's own. */
export async function startTestWorker(options: TestWorkerOptions = {}) {
  quietRuntime();
  const address = inject('temporalAddress');
  const config = {
    TEMPORAL_NAMESPACE: options.namespace ?? 'default',
    TEMPORAL_TASK_QUEUE: options.taskQueue ?? `test-${randomUUID()}`,
  };
  const provider = options.provider ?? new SimProvider();
  const guest =
    options.guest === null
      ? undefined
      : (options.guest ?? (provider instanceof SimProvider ? new SimGuestExecutor(provider) : undefined));
  const keys = options.keys ?? testKeyStore();
  const payloadCodecs = testPayloadCodecs();
  const worker = await startWorker({
    config,
    temporal: { address },
    provider,
    keys,
    payloadCodecs,
    ...(guest ? { guest } : {}),
  });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: { payloadCodecs } });
  return {
    config,
    client,
    provider,
    keys,
    payloadCodecs,
    /** Workflows of this file only: other files share the dev server. */
    countWorkflows: async (query = '') =>
      (await client.workflow.count(`TaskQueue = '${config.TEMPORAL_TASK_QUEUE}'${query ? ` AND ${query}` : ''}`)).count,
    async stop() {
      await worker.stop();
      await connection.close();
    },
  };
}
