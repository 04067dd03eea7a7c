import proxy from '@fastify/http-proxy';
import type { FastifyPluginAsync } from 'fastify';
import helmet from 'helmet';
import { WEB_UI_PATH } from '../../config/config';
import { allows } from '../../domain/access';
import { callerOf } from '../auth/authentication';
import { SESSION_COOKIE } from '../auth/sessions';
import { ApiError } from '../errors';

// The Temporal Web UI under the API's own origin (/temporal), proxied to the UI server (`npm start`'s dev server,
// or TEMPORAL_UI_UPSTREAM). Same origin as the console, so the Web UI's calls to /codec carry the console's session
// cookie: a signed-in admin reads decoded payloads with no cross-origin setting, and anyone else gets the payloads
// back as stored (api/routes/codec.ts), with no error banner.

/** The UI is a SvelteKit app: it starts from inline scripts and styles, and talks only to its own origin. */
const webUiHeaders = helmet({
  contentSecurityPolicy: {
    directives: {
      upgradeInsecureRequests: null,
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
    },
  },
});

/** Reading is open as the UI server itself is; what changes a workflow (cancel, terminate, signal, reset) is admins'. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The console's session and any API key stay here: the UI server has no use for them. A page (not its assets) is
 * asked for uncompressed, so that the column defaults can go into it.
 */
function forUiServer(headers: Record<string, unknown>): Record<string, unknown> {
  const { cookie, ...rest } = headers;
  delete rest.authorization;
  const others =
    typeof cookie === 'string' ? cookie.split(';').filter((c) => c.trim().split('=')[0] !== SESSION_COOKIE) : [];
  if (String(headers.accept ?? '').includes('text/html')) delete rest['accept-encoding'];
  return others.length ? { ...rest, cookie: others.join(';') } : rest;
}

/** The workflow list's columns until the operator chooses their own (columnDefaultsScript). */
export const WEB_UI_COLUMNS = [
  'Status',
  'Workflow ID',
  'Type',
  'ImageId',
  'ServerId',
  'Group',
  'BillingCode',
  'LaunchStep',
  'Start',
  'End',
];

/**
 * The Web UI's workflow list has no summary column (it lists from visibility, which holds no summaries), so until
 * the operator sets their own columns it shows what a launch's summary says from the search attributes: the image,
 * server, group, billing code and step. The Web UI keeps its columns per namespace in the browser's localStorage;
 * this seeds them once and never overrides a choice made in the UI.
 */
export function columnDefaultsScript(namespace: string): string {
  const seed = JSON.stringify(WEB_UI_COLUMNS.map((label) => ({ label })));
  const js =
    `(function(){try{var k='namespace-workflow-table-columns',n=${JSON.stringify(namespace)},` +
    `c=JSON.parse(localStorage.getItem(k)||'{}');if(!c[n]){c[n]=${seed};localStorage.setItem(k,JSON.stringify(c))}}catch(e){}})();`;
  // No value can close the script element.
  return `<script>${js.replace(/</g, '\\u003c')}</script>`;
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

export function webUiRoutes(upstream: string, namespace: string): FastifyPluginAsync {
  return async (app) => {
    // Not part of the API's documented surface.
    app.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, hide: true };
    });
    // helmet's headers for the API forbid inline scripts; the UI's own replace them.
    app.addHook('onSend', async (request, reply, payload) => {
      await new Promise<void>((resolve, reject) =>
        webUiHeaders(request.raw, reply.raw, (err?: unknown) => (err ? reject(err as Error) : resolve())),
      );
      return payload;
    });
    await app.register(proxy, {
      upstream,
      prefix: WEB_UI_PATH,
      rewritePrefix: WEB_UI_PATH,
      // The UI loads dozens of assets and polls; the UI server's own limits apply, not the API's per-key budget.
      config: { access: 'public', rateLimit: false },
      preHandler: async (request) => {
        if (READS.has(request.method)) return;
        const caller = await callerOf(request, app.deps.apiKeys(), app.deps.sessions);
        if (!caller || !allows(caller.role, 'admin')) {
          throw new ApiError(
            403,
            'forbidden',
            'changing workflows from the Temporal Web UI is for admins: sign in to the console as one, then try again',
          );
        }
      },
      replyOptions: {
        rewriteRequestHeaders: (_request, headers) => forUiServer(headers) as typeof headers,
        onResponse: (_request, reply, response) => {
          const page = String(reply.getHeader('content-type') ?? '').startsWith('text/html');
          if (!page || reply.getHeader('content-encoding')) return void reply.send(response.stream);
          readAll(response.stream).then(
            (html) => {
              void reply.removeHeader('content-length');
              void reply.send(html.replace(/<head[^>]*>/i, (head) => `${head}${columnDefaultsScript(namespace)}`));
            },
            (err: unknown) => void reply.send(err),
          );
        },
      },
    });
  };
}
