import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorSchema } from '../schemas';
import { CapabilitiesSchema, ProductSchema, ProductsQuery, RegionQuery } from './catalog.schemas';

// Regions and products have no side effects: they go straight to the configured provider (images: ./images.ts).
export const catalogRoutes: FastifyPluginAsyncZod = async (app) => {
  const { provider, catalog } = app.deps;
  const errors = { 400: ErrorSchema, 404: ErrorSchema, 503: ErrorSchema };

  app.get(
    '/v1/regions',
    {
      config: { access: 'read' },
      schema: {
        tags: ['catalog'],
        summary: 'Regions of the configured cloud, with their zones',
        response: {
          200: z.object({ items: z.array(z.object({ id: z.string(), zones: z.array(z.string()) })) }),
          ...errors,
        },
      },
    },
    async () => {
      const regions = await provider.listRegions();
      return { items: await Promise.all(regions.map(async (id) => ({ id, zones: await provider.listZones(id) }))) };
    },
  );

  app.get(
    '/v1/capabilities',
    {
      config: { access: 'read' },
      schema: {
        tags: ['catalog'],
        summary: 'What the cloud of a region can do (encryption, capture, deprecation, IPv6 rules, volumes, naming)',
        querystring: RegionQuery,
        response: { 200: CapabilitiesSchema, ...errors },
      },
    },
    async (request) => {
      const { region } = request.query;
      return { provider: provider.name, region, ...(await catalog.capabilities(region)) };
    },
  );

  app.get(
    '/v1/products',
    {
      config: { access: 'read' },
      schema: {
        tags: ['catalog'],
        summary: 'Hardware products of a region; with cpu, memoryGb and storageGb, only those that fit, smallest first',
        querystring: ProductsQuery,
        response: { 200: z.object({ items: z.array(ProductSchema) }), ...errors },
      },
    },
    async (request) => {
      const { region, architecture, cpu = 0, memoryGb = 0, storageGb = 0 } = request.query;
      const products = await provider.listProducts(region, architecture ? { architecture } : {});
      const fitting = products
        .filter((p) => p.cpuCount >= cpu && p.memoryGb >= memoryGb && p.rootDiskGb >= storageGb)
        .sort((a, b) => a.cpuCount - b.cpuCount || a.memoryGb - b.memoryGb || a.rootDiskGb - b.rootDiskGb);
      return { items: fitting };
    },
  );
};
