import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../api/app';
import { ApiKeys, hashApiKey, newApiKeyToken } from '../api/auth/api-keys';
import { connectClient } from '../api/temporal-client';
import { createLogger } from '../config/logger';
import { SimProvider } from '../providers/sim/sim-provider';
import { FileKeyStore } from '../secrets/file-key-store';
import { Keyring } from '../secrets/keyring';
import { PayloadEncryptionCodec } from '../secrets/payload-codec';
import { freePort } from '../test/support/free-port';

// The server side of bench/api.ts, forked by it: the real API (buildApp, every plugin) and a bare Fastify route, in
// this one process, so both share a runtime and neither shares an event loop with the load generator.

/** From the bench: where Temporal is, the payload codec key they share, and the limit the bench raises. */
export interface ServersStart {
  temporalAddress: string;
  codecKey: string;
  rateLimit: number;
}
/** To the bench: where to send load, and the key to send it with. */
export interface ServersReady {
  apiUrl: string;
  bareUrl: string;
  token: string;
}
export type ServersCommand =
  { start: ServersStart } | { profile: 'start' } | { profile: 'stop'; file: string } | { stop: true };

const send = (message: unknown) =>
  new Promise<void>((resolve, reject) =>
    process.send!(message, (err: Error | null) => (err ? reject(err) : resolve())),
  );

async function serve({ temporalAddress, codecKey, rateLimit }: ServersStart) {
  const payloadCodecs = [
    new PayloadEncryptionCodec(
      new Keyring([{ id: 'bench', key: Buffer.from(codecKey, 'base64') }], 'the bench codec key'),
    ),
  ];
  const client = await connectClient({ address: temporalAddress, namespace: 'default' }, payloadCodecs);
  const provider = new SimProvider({ timeScale: 0 });
  const keyDir = mkdtempSync(path.join(tmpdir(), 'bench-api-keys-'));
  process.once('exit', () => rmSync(keyDir, { recursive: true, force: true }));
  const keys = new FileKeyStore(
    path.join(keyDir, 'keys.db'),
    new Keyring([{ id: 'k', key: randomBytes(32) }], 'the bench key store'),
  );
  // An operator of one group, as a launching client would be; an admin's `*` would skip the group checks.
  const token = newApiKeyToken();
  const apiKeys = new ApiKeys([{ principal: 'bench', role: 'operator', groups: ['bench'], sha256: hashApiKey(token) }]);
  // The production logger at its default level (info: a line per request and per response, with redaction), into
  // /dev/null: its cost is counted, the terminal's is not.
  const logger = createLogger({ LOG_LEVEL: 'info' }, 'api', pino.destination({ dest: '/dev/null', sync: false }));
  const app = await buildApp({
    config: {
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'bench-api',
      PROVIDER: 'sim',
      API_RATE_LIMIT: rateLimit,
    },
    client,
    provider,
    keys,
    logger,
    apiKeys: () => apiKeys,
    // Sessions are not measured here: a ring of the bench's own.
    sessionKeyring: new Keyring([{ id: 'bench', key: randomBytes(32) }], 'the bench session keyring'),
    webUiUrl: 'http://127.0.0.1:8233',
  });
  const bare = Fastify();
  bare.get('/bare', async () => ({ ok: true, service: 'machine-images' }));
  const [apiPort, barePort] = [await freePort(), await freePort()];
  await app.listen({ host: '127.0.0.1', port: apiPort });
  await bare.listen({ host: '127.0.0.1', port: barePort });
  return {
    ready: {
      apiUrl: `http://127.0.0.1:${apiPort}`,
      bareUrl: `http://127.0.0.1:${barePort}/bare`,
      token,
    } satisfies ServersReady,
    async close() {
      await Promise.allSettled([app.close(), bare.close()]);
      await client.connection.close();
      provider.close();
    },
  };
}

async function run(): Promise<void> {
  let servers: Awaited<ReturnType<typeof serve>> | undefined;
  const profiler = new Session();
  const stop = async (code: number) => {
    await servers?.close();
    process.exit(code);
  };
  // The bench's death closes the IPC channel: never outlive it.
  process.on('disconnect', () => void stop(0));
  process.on('message', (command: ServersCommand) => {
    const done = async () => {
      if ('start' in command) {
        servers = await serve(command.start);
        await send({ ready: servers.ready });
      } else if ('profile' in command && command.profile === 'start') {
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
        await profiler.post('Profiler.start');
        await send({ profiling: true });
      } else if ('profile' in command && command.profile === 'stop') {
        const { profile } = await profiler.post('Profiler.stop');
        profiler.disconnect();
        writeFileSync(command.file, JSON.stringify(profile));
        await send({ profiled: command.file });
      } else if ('stop' in command) {
        await stop(0);
      }
    };
    done().catch(async (err: unknown) => {
      await send({ failed: String((err as Error)?.stack ?? err) }).catch(() => undefined);
      await stop(1);
    });
  });
  await send({ forked: true });
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
