import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
} from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import { temporalEndpoint, type TemporalEndpoint } from '../config/temporal-settings';
import { isTracing } from '../config/tracing';

/**
 * A person is waiting on the other end of every API call: when Temporal is down, answer 503 within seconds
 * (three tries) instead of retrying for half a minute as the SDK would by default.
 */
export function apiConnectionOptions(endpoint: TemporalEndpoint): ConnectionOptions {
  return {
    ...temporalEndpoint(endpoint),
    connectTimeout: 3_000,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 3 }))],
  };
}

/**
 * The API's Temporal client, with the service's payload codecs; closing it is the caller's job (`client.connection.close()`).
 * While tracing, each workflow it starts, signals or queries gets a span, whose context goes to the workflow in a header.
 */
export async function connectClient(
  temporal: TemporalEndpoint & { namespace: string },
  payloadCodecs: PayloadCodec[],
): Promise<Client> {
  const connection = await Connection.connect(apiConnectionOptions(temporal));
  return new Client({
    connection,
    namespace: temporal.namespace,
    dataConverter: { payloadCodecs },
    ...(isTracing() ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } } : {}),
  });
}
