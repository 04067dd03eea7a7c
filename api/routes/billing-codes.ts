import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorSchema } from '../schemas';

const BillingCodeViewSchema = z.object({
  code: z.string(),
  name: z.string(),
  active: z.boolean(),
  groups: z.array(z.string()),
  quota: z.object({ soft: z.number().int().optional(), hard: z.number().int().optional() }),
});

export const billingRoutes: FastifyPluginAsyncZod = async (app) => {
  const { billing } = app.deps;

  app.get(
    '/v1/billing-codes',
    {
      config: { access: 'read' },
      schema: {
        tags: ['billing'],
        summary:
          'The billing codes the caller’s groups may charge launches to (enforced: false when no codes are configured, and any code goes)',
        response: { 200: z.object({ enforced: z.boolean(), items: z.array(BillingCodeViewSchema) }), 503: ErrorSchema },
      },
    },
    async (request) => ({ enforced: billing.enforced, items: billing.list(request.principal.groups) }),
  );
};
