import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { type FastifyPluginAsyncZod, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import { allows } from '../../domain/access';
import { callerOf, SECURITY_SCHEME } from '../auth/authentication';
import { ApiError } from '../errors';
import { ErrorSchema } from '../schemas';

// Temporal's remote codec protocol: the Web UI and `temporal --codec-endpoint` send payloads as they are stored
// (encrypted) to /codec/decode and get them back readable. Decoded payloads of any group's workflows are admins' only.
// A browser with no admin session (signed out, or a viewer) gets the payloads back as it sent them, so the Web UI shows
// them encrypted instead of an error banner; a bearer key that is not an admin's is refused, as on every route.

/** The route's body limit (8 MiB) bounds them together; each is bounded too, as every field of the API is. */
const Base64Schema = z
  .string()
  .max(8 * 1024 * 1024)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');

const JsonPayloadSchema = z
  .object({
    metadata: z
      .record(z.string().max(256), Base64Schema)
      .refine((m) => Object.keys(m).length <= 64, 'at most 64 metadata entries')
      .meta({ maxProperties: 64 })
      .nullish()
      .describe('metadata entries, each value base64 (encoding, encryption-key-id, ...)'),
    data: Base64Schema.nullish().describe('the payload bytes, base64'),
  })
  .describe('A temporal.api.common.v1.Payload in proto JSON');

const PayloadsSchema = z
  .object({ payloads: z.array(JsonPayloadSchema).max(10_000) })
  .describe('Payloads in the Temporal codec server protocol');

type JsonPayload = z.infer<typeof JsonPayloadSchema>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** @fastify/cors applies a route's own options over its plugin's. */
    cors?: FastifyCorsOptions | false;
  }
  interface FastifyRequest {
    /** Set by @fastify/cors when it answered a preflight. */
    corsPreflightEnabled?: boolean;
  }
}

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(data ?? '', 'base64'),
});

const toJson = ({ metadata, data }: Payload) => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(data ?? []).toString('base64'),
});

/** The Web UI's origin as configured, and as a browser may spell it: localhost and 127.0.0.1 are the same place. */
export function webUiOrigins(webUiUrl: string | undefined): string[] {
  // A path: the API serves the UI itself (api/routes/web-ui.ts), same origin, no CORS needed.
  if (!webUiUrl || webUiUrl.startsWith('/')) return [];
  const url = URL.canParse(webUiUrl) ? new URL(webUiUrl) : undefined;
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new Error(
      `the Temporal Web UI address "${webUiUrl}" (TEMPORAL_UI_URL) is not an http(s) URL; give one like http://localhost:8080`,
    );
  }
  const alias = { localhost: '127.0.0.1', '127.0.0.1': 'localhost' }[url.hostname];
  const origins = [url.origin];
  if (alias) {
    url.hostname = alias;
    origins.push(url.origin);
  }
  return origins;
}

async function runCodecs(
  payloads: Payload[],
  codecs: readonly PayloadCodec[],
  direction: 'encode' | 'decode',
): Promise<Payload[]> {
  // Encoding applies the codecs in order, decoding in reverse, as the SDK's data converter does.
  const ordered = direction === 'encode' ? codecs : [...codecs].reverse();
  let result = payloads;
  try {
    for (const codec of ordered) result = await codec[direction](result);
  } catch (err) {
    // Codec errors name key ids and what to do, never key material.
    throw new ApiError(422, `${direction}_failed`, (err as Error).message);
  }
  return result;
}

export const codecRoutes: FastifyPluginAsyncZod = async (app) => {
  const codecs = app.deps.client.options.loadedDataConverter.payloadCodecs;
  const origins = webUiOrigins(app.deps.webUiUrl);
  const codecCors: FastifyCorsOptions = {
    origin: origins.length ? origins : false,
    methods: ['POST'],
    allowedHeaders: ['content-type', 'x-namespace', 'authorization'],
    // The Web UI may be set to send credentials (its "include cross-origin credentials" setting).
    credentials: true,
    maxAge: 600,
  };

  /** Whether to decode for this caller: an admin's key or session. A key that is not an admin's is refused. */
  const decodesFor = async (request: FastifyRequest): Promise<boolean> => {
    const caller = await callerOf(request, app.deps.apiKeys(), app.deps.sessions);
    if (caller && allows(caller.role, 'admin')) return true;
    if (request.headers.authorization) {
      throw caller
        ? new ApiError(
            403,
            'forbidden',
            `${caller.name} has the ${caller.role} role; decoding payloads needs the admin role`,
          )
        : new ApiError(
            401,
            'unauthorized',
            'the API key is not one this service knows; check it, or ask an admin for a key',
          );
    }
    return false;
  };

  // A child context: the Web UI's CORS policy applies to these routes and no other. Each route also carries the
  // policy in its config, for when the app has a CORS plugin of its own (CORS_ORIGINS), whose hook runs first.
  await app.register(
    async (scope) => {
      const codec = scope.withTypeProvider<ZodTypeProvider>();
      if (!codec.hasRequestDecorator('corsPreflightEnabled')) await codec.register(cors, codecCors);

      for (const direction of ['decode', 'encode'] as const) {
        // The preflight is answered by the CORS hook; it reaches here only when no origin is allowed.
        codec.options(
          `/${direction}`,
          { config: { access: 'public', cors: codecCors }, schema: { hide: true } },
          async (request, reply) => (request.corsPreflightEnabled ? reply.code(204).send() : reply.callNotFound()),
        );
        codec.post(
          `/${direction}`,
          {
            // Decoding is open, and decodes for admins only (decodesFor); encoding is admins' outright.
            config: { access: direction === 'decode' ? 'public' : 'admin', sessionCookie: true, cors: codecCors },
            // A page of history may carry several payloads of up to 2 MiB each, base64-inflated.
            bodyLimit: 8 * 1024 * 1024,
            schema: {
              tags: ['codec'],
              summary:
                direction === 'decode'
                  ? 'Decode (decrypt) payloads as Temporal stores them: the remote codec endpoint of the Web UI and the CLI'
                  : 'Encode (encrypt) payloads as the service’s clients and workers would before sending them to Temporal',
              description:
                direction === 'decode'
                  ? 'The Temporal codec server protocol (https://docs.temporal.io/production-deployment/data-encryption). Decodes for an admin’s API key or console session; without either, answers the payloads as sent.'
                  : 'The Temporal codec server protocol (https://docs.temporal.io/production-deployment/data-encryption). Admins only.',
              ...(direction === 'decode' ? { security: [{ [SECURITY_SCHEME]: [] }, {}] } : {}),
              body: PayloadsSchema,
              response: {
                200: PayloadsSchema,
                400: ErrorSchema,
                ...(direction === 'decode' ? { 401: ErrorSchema, 403: ErrorSchema } : {}),
                422: ErrorSchema,
              },
            },
          },
          async (request) => {
            if (direction === 'decode' && !(await decodesFor(request))) return { payloads: request.body.payloads };
            return { payloads: (await runCodecs(request.body.payloads.map(fromJson), codecs, direction)).map(toJson) };
          },
        );
      }
    },
    { prefix: '/codec' },
  );
};
