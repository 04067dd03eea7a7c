import { z } from 'zod';
import { FirewallRuleSchema, GroupNameSchema, ResourceNameSchema } from '../../domain/launch-request';

// The firewalls resource: a security group with its inbound rules, in a region.

const Rules = z.array(FirewallRuleSchema).max(50);

export const FirewallSchema = z.object({
  id: z.string(),
  region: z.string(),
  name: z.string(),
  description: z.string(),
  rules: z.array(z.object({ protocol: z.string(), fromPort: z.number(), toPort: z.number(), cidr: z.string() })),
  tags: z.record(z.string(), z.string()),
});

export const FirewallParams = z.object({
  id: z
    .string()
    .max(128)
    .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'a firewall id as GET /v1/firewalls lists them'),
});

export const FirewallListQuery = z.object({
  region: z.string().min(1).max(64).optional().describe('unset: every region'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional().describe('nextCursor of the page before'),
});

export const CreateFirewallBody = z
  .object({
    region: z.string().min(1).max(64),
    name: ResourceNameSchema,
    description: z.string().max(255).optional(),
    group: GroupNameSchema.optional().describe(
      'the group whose firewall it is; unset: the caller’s only group (an admin’s: shared by every group)',
    ),
    rules: Rules.default([]),
  })
  .strict();

export const RulesBody = z.object({ rules: Rules.min(1, 'give at least one rule') }).strict();
