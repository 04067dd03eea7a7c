import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actsFor } from '../../domain/access';
import type { MachineImage } from '../../domain/image';
import { DeprecateRequestSchema, ImageUpdateSchema, LINEAGE_TAGS, type ImageLineage } from '../../domain/images';
import { canSeeImage, changeableImage, visibleImage } from '../auth/image-scope';
import { requireImageName } from '../image-names';
import { ErrorSchema } from '../schemas';
import { RegionQuery } from './catalog.schemas';
import { ImageDetailSchema, ImagePageSchema, ImageParams, ImageSchema, ImagesQuery } from './images.schemas';

/** Lineage from our tags, with what the driver itself recorded as the fallback. */
function lineageOf(image: MachineImage): ImageLineage {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const lineage: ImageLineage = {
    parentImageId: text(image.tags[LINEAGE_TAGS.parent]) ?? text(image.extra.parentImageId),
    sourceServerId: text(image.tags[LINEAGE_TAGS.sourceServer]) ?? text(image.extra.sourceServerId),
    family: text(image.tags[LINEAGE_TAGS.family]),
    version: text(image.tags[LINEAGE_TAGS.version]),
    replacedBy: text(image.tags[LINEAGE_TAGS.replacedBy]) ?? text(image.extra.replacementId),
  };
  return Object.fromEntries(Object.entries(lineage).filter(([, v]) => v !== undefined));
}

// Reads of the image catalog (cached) and changes to own images (each invalidates the cache).
export const imageRoutes: FastifyPluginAsyncZod = async (app) => {
  const { provider, images } = app.deps;
  const errors = { 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 501: ErrorSchema, 503: ErrorSchema };

  app.get(
    '/v1/images',
    {
      config: { access: 'read' },
      schema: {
        tags: ['images'],
        summary: 'Own images, a search of the cloud’s public library, or both (own first); paged with cursor',
        description:
          'Deprecated images are left out unless includeDeprecated=true or state=deprecated, and state and label are matched after ' +
          'the cloud answers, so a page may hold fewer than `limit` items (even none) while nextCursor is present: follow it until it is absent. ' +
          'Answers come through a cache of up to 30 s that every change made through this service clears.',
        querystring: ImagesQuery,
        response: { 200: ImagePageSchema, ...errors },
      },
    },
    async (request) =>
      images.list({
        ...request.query,
        includeDeprecated: request.query.includeDeprecated === 'true',
        visible: (image) => canSeeImage(request.principal, image),
      }),
  );

  app.get(
    '/v1/images/:id',
    {
      config: { access: 'read' },
      schema: {
        tags: ['images'],
        summary: 'One image: its state and reason, its lineage, and the servers running from it (read live)',
        params: ImageParams,
        querystring: RegionQuery,
        response: { 200: ImageDetailSchema, ...errors },
      },
    },
    async (request) => {
      const { region } = request.query;
      const [image, servers] = await Promise.all([
        visibleImage(request.principal, images.get(region, request.params.id), request.params.id),
        provider.listServers(region, { imageId: request.params.id }),
      ]);
      // Servers of other groups are counted (they hold the image in use) but not named.
      const live = servers.filter((s) => s.state !== 'terminated');
      const ids = live.filter((s) => actsFor(request.principal, s.tags.group)).map((s) => s.id);
      return { ...image, lineage: lineageOf(image), servers: { count: live.length, ids } };
    },
  );

  app.patch(
    '/v1/images/:id',
    {
      config: { access: 'operate' },
      schema: {
        tags: ['images'],
        summary: 'Rename an own image, or change its description or label colour (labelColor none clears it)',
        description:
          'Stored on the cloud (tags or metadata), so every client sees it. Public images cannot be changed: clone them first.',
        params: ImageParams,
        querystring: RegionQuery,
        body: ImageUpdateSchema,
        response: { 200: ImageSchema, ...errors },
      },
    },
    async (request) => {
      const { region } = request.query;
      const { name, description, labelColor } = request.body;
      await changeableImage(
        request.principal,
        provider.getImage(region, request.params.id),
        request.params.id,
        'change',
      );
      if (name !== undefined) await requireImageName(provider, region, name, 'body.name');
      const updated = await provider.updateImage(region, request.params.id, {
        ...(name !== undefined ? { name } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(labelColor !== undefined ? { labelColor: labelColor === 'none' ? '' : labelColor } : {}),
      });
      images.invalidate();
      return updated;
    },
  );

  app.post(
    '/v1/images/:id/deprecate',
    {
      config: { access: 'operate' },
      schema: {
        tags: ['images'],
        summary: 'Deprecate an own image, now or at a time, optionally naming its replacement',
        description:
          'A deprecated image stays launchable by id but leaves default listings; a launch from it warns and names the replacement.',
        params: ImageParams,
        querystring: RegionQuery,
        body: DeprecateRequestSchema,
        response: { 200: ImageSchema, ...errors },
      },
    },
    async (request) => {
      const { region } = request.query;
      const { replacementImageId, at } = request.body;
      await changeableImage(
        request.principal,
        provider.getImage(region, request.params.id),
        request.params.id,
        'deprecate',
      );
      const deprecated = await provider.deprecateImage(region, request.params.id, {
        ...(replacementImageId ? { replacementId: replacementImageId } : {}),
        ...(at ? { at } : {}),
      });
      images.invalidate();
      return deprecated;
    },
  );
};
