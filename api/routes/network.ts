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
    '/v1/firewalls',
    {
      config: { access: 'read' },
      schema: {
        tags: ['network'],
        summary:
          'Firewalls (security groups) of a region the caller may use (its groups’ and the untagged), with their rules',
        querystring: RegionQuery,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.string(),
                name: z.string(),
                description: z.string(),
                rules: z.array(
                  z.object({ protocol: z.string(), fromPort: z.number(), toPort: z.number(), cidr: z.string() }),
                ),
                tags: Tags,
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => ({
      items: (await provider.listFirewalls(request.query.region)).filter((f) =>
        canUseShared(request.principal, f.tags.group),
      ),
    }),
  );
};
