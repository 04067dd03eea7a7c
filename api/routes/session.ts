import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { SESSION_COOKIE, sessionToken } from '../auth/sessions';
import { ApiError } from '../errors';
import { ErrorSchema } from '../schemas';

// A browser session for the codec endpoint only: only routes that say so (the codec) accept the cookie, so
// a page elsewhere cannot ride on it to launch or delete anything (those need the bearer key).
// No Max-Age: it ends with the browser (or the 12 hours it carries, signed, if sooner); clearing sets Max-Age=0.
const cookie = (value: string, secure: boolean, clear = false) =>
  `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax${clear ? '; Max-Age=0' : ''}${secure ? '; Secure' : ''}`;

const PrincipalViewSchema = z.object({
  principal: z.string(),
  role: z.string(),
  groups: z.union([z.array(z.string()), z.literal('all')]),
});

export const sessionRoutes: FastifyPluginAsyncZod = async (app) => {
  const { sessions } = app.deps;

  app.post(
    '/v1/session',
    {
      config: { access: 'read' },
      schema: {
        tags: ['session'],
        summary:
          'Who the key belongs to; for an admin also opens a browser session (an HttpOnly cookie that only /codec accepts) so the Temporal Web UI can decode payloads',
        description:
          'The Web UI sends the cookie once "include cross-origin credentials" is ticked in its codec settings; decoding stays admin-only.',
        response: { 200: PrincipalViewSchema },
      },
    },
    async (request, reply) => {
      const { name, role, groups } = request.principal;
      // Only the codec accepts the session, and only from admins: no one else needs one (nor may fill the store).
      if (role === 'admin')
        void reply.header('set-cookie', cookie(sessions.open(request.principal).token, request.protocol === 'https'));
      return { principal: name, role, groups: groups === 'all' ? ('all' as const) : [...groups] };
    },
  );

  app.delete(
    '/v1/session',
    {
      config: { access: 'public' },
      schema: {
        tags: ['session'],
        summary: 'Close the browser session (sign out), on every API replica',
        response: { 204: z.null(), 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      // The browser forgets the cookie whatever follows.
      void reply.header('set-cookie', cookie('', request.protocol === 'https', true));
      const token = sessionToken(request.headers.cookie);
      try {
        if (token) await sessions.close(token);
      } catch (err) {
        request.log.error({ err }, 'a sign-out could not be recorded in Temporal for the other API replicas');
        throw new ApiError(
          503,
          'temporal_unavailable',
          'signed out in this browser and on this API replica, but Temporal did not take the sign-out for the other replicas; sign out again',
        );
      }
      return reply.code(204).send(null);
    },
  );
};
