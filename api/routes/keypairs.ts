import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MANAGED_BY } from '../../domain/launch';
import type { Keypair } from '../../domain/network';
import { requireVisible } from '../auth/scope';
import { requireCloudName, requireRegion } from '../cloud-names';
import { ApiError, notFound } from '../errors';
import { ownerGroup, requireNoServerUses } from '../resource-owner';
import { listKeypairs } from '../keypair-list';
import { requireAcceptablePublicKey } from '../keypair-public-key';
import { ErrorSchema } from '../schemas';
import { RegionQuery } from './catalog.schemas';
import {
  CreateKeypairSchema,
  CreatedKeypairSchema,
  KeypairListQuery,
  KeypairListSchema,
  KeypairParams,
} from './keypairs.schemas';

// Key pairs: list across regions, create (the private key handed out once, in the answer), import, delete.
export const keypairRoutes: FastifyPluginAsyncZod = async (app) => {
  const { provider, catalog } = app.deps;
  const errors = { 400: ErrorSchema, 503: ErrorSchema };

  app.get(
    '/v1/keypairs',
    {
      config: { access: 'read' },
      schema: {
        tags: ['network'],
        summary:
          'Key pairs the caller may use (its groups’ and the account’s untagged; public halves only), by region and name, in every region unless one is named; paged with cursor',
        querystring: KeypairListQuery,
        response: { 200: KeypairListSchema, ...errors },
      },
    },
    async (request) => {
      const { region, limit, cursor } = request.query;
      if (region) await requireRegion(catalog, region, 'querystring.region');
      return listKeypairs(provider, request.principal, {
        limit,
        ...(region ? { region } : {}),
        ...(cursor ? { cursor } : {}),
      });
    },
  );

  app.post(
    '/v1/keypairs',
    {
      config: { access: 'operate' },
      schema: {
        tags: ['network'],
        summary:
          'Create a key pair (201 with its private key, handed out this once), or import one: with publicKey, the cloud keeps that public key and no private key is involved',
        body: CreateKeypairSchema,
        response: { 201: CreatedKeypairSchema, 403: ErrorSchema, 409: ErrorSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { region, name, publicKey } = request.body;
      const group = ownerGroup(request.principal, request.body.group, 'key pair');
      await requireRegion(catalog, region, 'body.region');
      await requireCloudName(catalog, region, 'keypair', name, 'body.name');
      const line = publicKey === undefined ? undefined : requireAcceptablePublicKey(publicKey, 'body.publicKey');
      if ((await provider.listKeypairs(region)).some((k) => k.name === name))
        throw new ApiError(
          409,
          'conflict',
          `a key pair named "${name}" already exists in ${region}; choose another name`,
        );
      const tags = { 'managed-by': MANAGED_BY, ...(group ? { group } : {}) };
      let keypair: Keypair;
      let privateKey: string | undefined;
      if (line === undefined) {
        const { privateKeyPem, ...created } = await provider.createKeypair(region, name, tags);
        keypair = created;
        privateKey = privateKeyPem;
      } else keypair = await provider.importKeypair(region, name, line, tags);
      // The private key exists in our hands only for this answer: never stored, never logged, not to be cached.
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({
          name,
          region,
          fingerprint: keypair.fingerprint,
          ...(group ? { group } : {}),
          tags: keypair.tags,
          ...(privateKey ? { privateKey } : {}),
        });
    },
  );

  app.delete(
    '/v1/keypairs/:name',
    {
      config: { access: 'operate' },
      schema: {
        tags: ['network'],
        summary:
          'Delete a key pair (servers already running with it keep their key); 409 while servers use it, naming them',
        params: KeypairParams,
        querystring: RegionQuery,
        response: { 204: z.null(), 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { region } = request.query;
      const { name } = request.params;
      const { principal } = request;
      await requireRegion(catalog, region, 'querystring.region');
      const keypair = (await provider.listKeypairs(region)).find((k) => k.name === name);
      if (!keypair) throw notFound(`key pair "${name}" in ${region}`);
      const group = keypair.tags.group;
      if (group !== undefined) requireVisible(principal, group, `key pair "${name}" in ${region}`);
      else if (principal.groups !== 'all')
        throw new ApiError(
          403,
          'forbidden',
          `key pair "${name}" is the account’s, shared by every group (it has no group); only an admin deletes it`,
        );
      await requireNoServerUses(provider, principal, region, (s) => s.keypairName === name, {
        subject: `key pair "${name}" in ${region}`,
        noun: 'key pair',
      });
      await provider.deleteKeypair(region, name);
      return reply.code(204).send(null);
    },
  );
};
