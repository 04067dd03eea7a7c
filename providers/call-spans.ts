import { SpanKind, type Attributes } from '@opentelemetry/api';
import { inSpan, noteServer, REGION, SERVER_ID } from '../config/spans';
import { CALL_KINDS } from './call-budget';
import type { CloudProvider } from './cloud-provider';

// A span for every call of the CloudProvider interface (when tracing is on: worker/worker.ts, api/serve.ts), named
// after the action, with the region and the server the call is about. Arguments and answers are not recorded:
// they can hold user data, and a created key pair's answer holds its private key.

/** The argument that names the one server a call is about. */
const SERVER_ARGUMENT: Partial<Record<keyof CloudProvider, number>> = {
  getServer: 1,
  stopServer: 1,
  startServer: 1,
  rebootServer: 1,
  terminateServer: 1,
  statusChecks: 1,
  attachVolume: 2,
};

function serverOf(action: string, args: unknown[]): string | undefined {
  const index = SERVER_ARGUMENT[action as keyof CloudProvider];
  if (index !== undefined) return typeof args[index] === 'string' ? args[index] : undefined;
  const input = args[1] as { serverId?: unknown } | undefined;
  return action === 'captureImage' && typeof input?.serverId === 'string' ? input.serverId : undefined;
}

function callAttributes(provider: string, action: string, args: unknown[]): Attributes {
  const serverId = serverOf(action, args);
  return {
    'machine_images.provider': provider,
    'machine_images.action': action,
    ...(typeof args[0] === 'string' ? { [REGION]: args[0] } : {}),
    ...(serverId ? { [SERVER_ID]: serverId } : {}),
    ...(action === 'serverStatuses' && Array.isArray(args[1]) ? { 'machine_images.server_ids': args[1] } : {}),
  };
}

/** The provider with a span around each call of the CloudProvider interface; anything else as it was. */
export function withCallSpans(provider: CloudProvider): CloudProvider {
  return new Proxy(provider, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== 'string' || !(key in CALL_KINDS) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const attributes = callAttributes(target.name, key, args);
        const known = attributes[SERVER_ID];
        if (typeof known === 'string') noteServer(known);
        return inSpan(`cloud.${key}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
          const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          // A launch learns its server's id from the answer.
          const launched = key === 'launchServer' ? (result as { id?: unknown } | undefined)?.id : undefined;
          if (typeof launched === 'string') {
            span.setAttribute(SERVER_ID, launched);
            noteServer(launched);
          }
          return result;
        });
      };
    },
  });
}
