import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { DiagConsoleLogger, DiagLogLevel, diag, trace, ProxyTracerProvider } from '@opentelemetry/api';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK, tracing, type resources } from '@opentelemetry/sdk-node';
import { redactQuery } from './logger';

// Traces from the HTTP request to each cloud call and guest step (README, "Traces"): the OpenTelemetry Node SDK,
// configured by the standard OTEL_* variables, which it reads itself. Off unless one of them says where traces go;
// then no SDK starts, and no interceptor or span wrapper is installed (each is installed only when isTracing()).

/** Requests that only ask whether the service is up, every few seconds from load balancers and scrapers. */
const UNTRACED_PATHS = new Set(['/v1/health', '/v1/ready', '/metrics']);
const EXPORTERS = new Set(['otlp', 'console', 'zipkin', 'none']);
const PROTOCOLS = new Set(['http/protobuf', 'http/json', 'grpc']);

export class TracingSettingsError extends Error {
  override name = 'TracingSettingsError';
}

const listed = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** Whether the environment asks for traces: a variable says where they go. The rest only shape them. */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = listed(env.OTEL_TRACES_EXPORTER);
  if (exporters.length === 1 && exporters[0] === 'none') return false;
  return (
    exporters.length > 0 ||
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim())
  );
}

/** The SDK passes over a value it does not know with a warning nobody sees; here it stops start-up, named. */
export function checkTracingSettings(env: NodeJS.ProcessEnv = process.env): void {
  for (const exporter of listed(env.OTEL_TRACES_EXPORTER)) {
    if (!EXPORTERS.has(exporter))
      throw new TracingSettingsError(
        `OTEL_TRACES_EXPORTER: "${exporter}" is not one of ${[...EXPORTERS].join(', ')}; unset it to send traces over OTLP`,
      );
  }
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const protocol = env[name]?.trim();
    if (protocol && !PROTOCOLS.has(protocol))
      throw new TracingSettingsError(`${name}: "${protocol}" is not one of ${[...PROTOCOLS].join(', ')}`);
  }
}

let sdk: NodeSDK | undefined;

/** Whether this process exports traces: the entry point started the SDK. */
export const isTracing = (): boolean => sdk !== undefined;

/**
 * Starts the SDK where the environment asks for traces; config/start-tracing.ts does, before the modules that the
 * instrumentations patch (node:http under Fastify, the AWS SDK) are loaded.
 */
export function startTracing(env: NodeJS.ProcessEnv = process.env): boolean {
  if (sdk || !tracingRequested(env)) return isTracing();
  checkTracingSettings(env);
  // Export failures are worth a line; the SDK's own notes (which exporter it chose) are not, unless asked for.
  if (!env.OTEL_LOG_LEVEL) diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.ERROR);
  sdk = new NodeSDK({
    ...(env.OTEL_SERVICE_NAME?.trim() ? {} : { serviceName: 'machine-images' }),
    // The service logs through pino; the SDK would otherwise set up an OTLP log exporter nothing writes to.
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0]!),
        requestHook: (span, request) => {
          if (!('headers' in request) || !('socket' in request)) return;
          // A key sent in the query string is no more recorded here than it is logged (config/logger.ts).
          const url = (request as IncomingMessage).url ?? '';
          const redacted = redactQuery(url);
          if (redacted === url) return;
          const scheme = (request.socket as TLSSocket).encrypted ? 'https' : 'http';
          span.setAttribute('http.target', redacted);
          span.setAttribute('http.url', `${scheme}://${(request as IncomingMessage).headers.host ?? ''}${redacted}`);
          span.setAttribute('url.query', redacted.slice(redacted.indexOf('?') + 1));
        },
      }),
      // EC2's own spans (action, region, request id); the HTTP requests under them add nothing.
      new AwsInstrumentation({ suppressInternalInstrumentation: true }),
    ],
  });
  sdk.start();
  nameRequestSpansByRoute();
  return true;
}

/** A request's span is named by its Fastify route (`POST /v1/launches`), not by its method alone. */
function nameRequestSpansByRoute(): void {
  subscribe('tracing:fastify.request.handler:start', (message) => {
    const route = (message as { route?: { url?: string; method?: string } }).route;
    const span = trace.getActiveSpan();
    if (!span || !route?.url) return;
    span.updateName(`${route.method ?? ''} ${route.url}`.trim());
    span.setAttribute('http.route', route.url);
  });
}

/** Where spans made outside the SDK's own tracers go (the workflows', handed out of their sandbox). */
export function spanProcessing(): { processor: tracing.SpanProcessor; resource: resources.IResource } | undefined {
  if (!sdk) return undefined;
  const global = trace.getTracerProvider();
  const provider = global instanceof ProxyTracerProvider ? global.getDelegate() : global;
  if (!(provider instanceof tracing.BasicTracerProvider)) return undefined;
  return { processor: provider.getActiveSpanProcessor(), resource: provider.resource };
}

/** Sends the spans still buffered and stops the SDK; a collector that does not answer delays the stop, never fails it. */
export async function stopTracing(): Promise<void> {
  const stopping = sdk;
  sdk = undefined;
  await stopping?.shutdown().catch((err: unknown) => diag.error('stopping the tracing SDK failed', err));
}
