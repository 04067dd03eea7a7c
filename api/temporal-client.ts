import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { temporalAddress, type Config } from '../config/config';

/**
 * A person is waiting on the other end of every API call: when Temporal is down, answer 503 within seconds
 * (three tries) instead of retrying for half a minute as the SDK would by default.
 */
export function apiConnectionOptions(address: string): ConnectionOptions {
  return { address, connectTimeout: 3_000, interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 3 }))] };
}

/** The API's Temporal client, with the service's payload codecs; closing it is the caller's job (`client.connection.close()`). */
export async function connectClient(
  config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_PORT' | 'TEMPORAL_NAMESPACE'>,
  payloadCodecs: PayloadCodec[],
): Promise<Client> {
  const connection = await Connection.connect(apiConnectionOptions(temporalAddress(config)));
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: { payloadCodecs } });
}
