import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Principal } from '../../domain/access';
import { MANAGED_BY } from '../../domain/launch';
import type { FirewallRule } from '../../domain/network';
import { requireCloudName, requireRegion } from '../cloud-names';
import { requireRulesFit, visibleFirewall } from '../firewall-checks';
import { ownerGroup, requireNoServerUses } from '../resource-owner';
import { listFirewalls } from '../firewall-list';
import { ErrorSchema } from '../schemas';
import { RegionQuery } from './catalog.schemas';
import { CreateFirewallBody, FirewallListQuery, FirewallParams, FirewallSchema, RulesBody } from './firewalls.schemas';

// Firewalls (security groups): list, create, add and remove inbound rules, delete once no server is in one.
export const firewallRoutes: FastifyPluginAsyncZod = async (app) => {
  const { provider, catalog } = app.deps;
  const errors = { 400: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 503: ErrorSchema };

  /** Adds (authorize) or removes (revoke) rules on a live firewall the caller may change; the firewall as it is now. */
  async function changeRules(
    request: {
      query: { region: string };
      params: { id: string };
      body: { rules: FirewallRule[] };
      principal: Principal;
    },
    change: 'authorize' | 'revoke',
  ) {
    const { region } = request.query;
    await requireRegion(catalog, region, 'querystring.region');
    await requireRulesFit(catalog, region, request.body.rules, 'body.rules');
    await visibleFirewall(provider, request.principal, region, request.params.id, 'change');
    return { ...(await provider[change](region, request.params.id, request.body.rules)), region };
  }

  app.get(
    '/v1/firewalls',
    {
      config: { access: 'read' },
      schema: {
        tags: ['network'],
        summary:
          'Firewalls (security groups) the caller may use (its groups’ and the untagged), with their rules, in every region unless one is named; by region and name, paged with cursor',
        querystring: FirewallListQuery,
        response: { 200: z.object({ items: z.array(FirewallSchema), nextCursor: z.string().optional() }), ...errors },
      },
    },
    async (request) => {
      const { region, limit, cursor } = request.query;
      if (region) await requireRegion(catalog, region, 'querystring.region');
      return listFirewalls(provider, request.principal, {
        limit,
        ...(region ? { region } : {}),
        ...(cursor ? { cursor } : {}),
      });
    },
  );

  app.post(
    '/v1/firewalls',
    {
      config: { access: 'operate' },
      schema: {
        tags: ['network'],
        summary:
          'Create a firewall with inbound rules, tagged with its group (default: the caller’s only group) as a launch tags the firewalls it makes',
        body: CreateFirewallBody,
        response: { 201: FirewallSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { principal, body } = request;
      const group = ownerGroup(principal, body.group, 'firewall');
      await requireRegion(catalog, body.region, 'body.region');
      await requireCloudName(catalog, body.region, 'firewall', body.name, 'body.name');
      await requireRulesFit(catalog, body.region, body.rules, 'body.rules');
      const firewall = await provider.createFirewall(body.region, {
        name: body.name,
        description: body.description ?? `made by ${principal.name} through the API`,
        rules: body.rules,
        tags: { 'managed-by': MANAGED_BY, ...(group ? { group } : {}) },
      });
      return reply.code(201).send({ ...firewall, region: body.region });
    },
  );

  app.post(
    '/v1/firewalls/:id/rules',
    {
      config: { access: 'operate' },
      schema: {
        tags: ['network'],
        summary:
          'Add inbound rules to a firewall (one it already has is kept once); running servers in it see them at once',
        params: FirewallParams,
        querystring: RegionQuery,
        body: RulesBody,
        response: { 200: FirewallSchema, ...errors },
      },
    },
    (request) => changeRules(request, 'authorize'),
  );

  app.delete(
    '/v1/firewalls/:id/rules',
    {
      config: { access: 'operate' },
      schema: {
        tags: ['network'],
        summary:
          'Remove inbound rules from a firewall: the body lists them as they were added (one it does not have is ignored)',
        params: FirewallParams,
        querystring: RegionQuery,
        body: RulesBody,
        response: { 200: FirewallSchema, ...errors },
      },
    },
    (request) => changeRules(request, 'revoke'),
  );

  app.delete(
    '/v1/firewalls/:id',
    {
      config: { access: 'operate' },
      schema: {
        tags: ['network'],
        summary: 'Delete a firewall; 409 while servers are in it, naming those the caller may see',
        params: FirewallParams,
        querystring: RegionQuery,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { region } = request.query;
      const { id } = request.params;
      await requireRegion(catalog, region, 'querystring.region');
      await visibleFirewall(provider, request.principal, region, id, 'change');
      await requireNoServerUses(provider, request.principal, region, (s) => s.firewallIds.includes(id), {
        subject: `firewall ${id} in ${region}`,
        noun: 'firewall',
      });
      await provider.deleteFirewall(region, id);
      return reply.code(204).send(null);
    },
  );
};
