import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../api/app';
import type { Config } from '../../config/config';
import type { BillingCode } from '../../domain/billing-codes';
import { injectWithKey, testApiKeys } from './api-keys';
import { startTestWorker, type TestWorkerOptions } from './temporal';

export interface TestApiOptions extends TestWorkerOptions {
  billingCodes?: BillingCode[];
  rateLimit?: number;
  /** A Web UI server for the API to serve under /temporal. */
  webUiUpstream?: string;
}

/**
 * The API built on a real Temporal client, with a real worker behind it (the sim's by default); requests go through
 * inject(), as the admin unless they send their own `authorization` (`keys` has a token per role).
 */
export async function startTestApi(options: TestApiOptions = {}) {
  const temporal = await startTestWorker(options);
  const { apiKeys, sessionKeyring, tokens } = testApiKeys();
  const codes = new Map(options.billingCodes?.map((code) => [code.code, code]));
  const app: FastifyInstance = await buildApp({
    config: {
      ...temporal.config,
      PROVIDER: temporal.provider.name as Config['PROVIDER'],
      ...(options.rateLimit ? { API_RATE_LIMIT: options.rateLimit } : {}),
    },
    client: temporal.client,
    provider: temporal.provider,
    keys: temporal.keys,
    logger: pino({ level: process.env.TEST_API_LOG ?? 'silent' }),
    webUiUrl: 'http://temporal-ui.test',
    apiKeys,
    sessionKeyring,
    ...(options.billingCodes ? { billingCodes: () => codes } : {}),
    ...(options.webUiUpstream ? { webUiUpstream: options.webUiUpstream } : {}),
  });
  injectWithKey(app, tokens.admin);
  return {
    app,
    temporal,
    keys: tokens,
    async stop() {
      await app.close();
      await temporal.stop();
    },
  };
}
