import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Principal } from '../../domain/access';
import type { ImageShareChange } from '../../domain/image';
import type { CloudProvider } from '../../providers/cloud-provider';
import { changeableImage, visibleImage } from '../auth/image-scope';
import { ApiError } from '../errors';
import { requireOwnImage } from '../image-catalog';
import { ErrorSchema } from '../schemas';
import { RegionQuery } from './catalog.schemas';
import { ImageShareRequestSchema, ImageSharesSchema } from './image-shares.schemas';
import { ImageParams } from './images.schemas';

/** Each account must fit the cloud's own rule; where the cloud cannot share at all, 501 says so before anything. */
async function requireShareChange(
  provider: CloudProvider,
  region: string,
  principal: Principal,
  change: ImageShareChange,
): Promise<void> {
  const sharing = (await provider.capabilities(region)).imageSharing;
  if (!sharing) throw new ApiError(501, 'not_supported', `${provider.name} cannot share images with other accounts`);
  const rule = sharing.account;
  change.accounts?.forEach((account, i) => {
    if (account.length < rule.minLength || account.length > rule.maxLength || !new RegExp(rule.pattern).test(account))
      throw new ApiError(
        400,
        'invalid_request',
        `body.accounts.${i}: "${account}" is not an account id of ${provider.name}; ${rule.hint}`,
      );
  });
  // Public exposes the image to every account of the cloud: an admin's decision, not a group's.
  if (change.public && principal.role !== 'admin')
    throw new ApiError(
      403,
      'forbidden',
      `body.public: making an image public (or private again) needs the admin role; ${principal.name} is ${principal.role}. Share it with named accounts instead`,
    );
}

// Who else may launch an own image: other accounts by id (the owning group's operators) or everyone (admins).
export const imageShareRoutes: FastifyPluginAsyncZod = async (app) => {
  const { provider, images } = app.deps;
  const errors = { 400: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 501: ErrorSchema };
  const path = '/v1/images/:id/shares';

  app.get(
    path,
    {
      config: { access: 'read' },
      schema: {
        tags: ['images'],
        summary: 'The accounts an own image is shared with, and whether it is public',
        params: ImageParams,
        querystring: RegionQuery,
        response: { 200: ImageSharesSchema, ...errors },
      },
    },
    async (request) => {
      const { region } = request.query;
      const { id } = request.params;
      requireOwnImage(await visibleImage(request.principal, provider.getImage(region, id), id), 'list the shares of');
      return { imageId: id, region, ...(await provider.listImageShares(region, id)) };
    },
  );

  for (const [method, verb, summary] of [
    ['POST', 'share', 'Share an own image with accounts (its group’s operators) or make it public (admins)'],
    ['DELETE', 'unshare', 'Revoke accounts’ launch permission, or make a public own image private again (admins)'],
  ] as const) {
    app.route({
      method,
      url: path,
      config: { access: 'operate' },
      schema: {
        tags: ['images'],
        summary,
        description:
          'Accounts are checked against the cloud’s rule (GET /v1/capabilities: imageSharing.account); granting or revoking ' +
          'what is already so counts as done. Answers the shares after the change.',
        params: ImageParams,
        querystring: RegionQuery,
        body: ImageShareRequestSchema,
        response: { 200: ImageSharesSchema, ...errors },
      },
      handler: async (request) => {
        const { region } = request.query;
        const { id } = request.params;
        await changeableImage(request.principal, provider.getImage(region, id), id, verb);
        await requireShareChange(provider, region, request.principal, request.body);
        const change = request.body;
        const shares =
          verb === 'share'
            ? await provider.shareImage(region, id, change)
            : await provider.unshareImage(region, id, change);
        images.invalidate();
        return { imageId: id, region, ...shares };
      },
    });
  }
};
