import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { canUseShared } from '../auth/scope';
import { ErrorSchema } from '../schemas';
import { RegionQuery } from './catalog.schemas';

const Tags = z.record(z.string(), z.string());

export const networkRoutes: FastifyPluginAsyncZod = async (app) => {
  const { provider } = app.deps;
  const errors = { 400: ErrorSchema, 503: ErrorSchema };

  app.get(
    '/v1/keypairs',
    {
      config: { access: 'read' },
      schema: {
        tags: ['network'],
        summary: 'Key pairs of a region the caller may use (its groups’ and the untagged; public halves only)',
        querystring: RegionQuery,
        response: {
          200: z.object({ items: z.array(z.object({ name: z.string(), fingerprint: z.string(), tags: Tags })) }),
          ...errors,
        },
      },
    },
    async (request) => ({
      items: (await provider.listKeypairs(request.query.region))
        .filter((k) => canUseShared(request.principal, k.tags.group))
        .map(({ name, fingerprint, tags }) => ({ name, fingerprint, tags })),
    }),
  );
};
