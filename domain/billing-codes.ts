import { z } from 'zod';
import { ALL_GROUPS, GroupNameSchema } from './access';

// Billing codes: who may charge a launch to what, and how many servers a code may keep running.

export const BillingCodeSchema = z
  .object({
    code: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'use 1 to 64 letters, digits, dots, hyphens and underscores'),
    name: z.string().min(1).max(128),
    active: z.boolean().default(true),
    /** Groups whose launches may use the code; `*` for every group. */
    groups: z.array(z.union([GroupNameSchema, z.literal(ALL_GROUPS)])).min(1),
    /** Servers (not terminated) charged to the code: over `soft` warns, over `hard` refuses. */
    quota: z
      .object({ soft: z.number().int().min(0).optional(), hard: z.number().int().min(0).optional() })
      .strict()
      .refine((q) => q.soft === undefined || q.hard === undefined || q.soft <= q.hard, {
        message: 'soft must not be above hard',
        path: ['soft'],
      })
      .default({}),
  })
  .strict();
export type BillingCode = z.output<typeof BillingCodeSchema>;

export type QuotaVerdict = { allowed: true; warning?: string } | { allowed: false; message: string };

/** Whether one more server fits the code's quota, given how many it has now. */
export function quotaVerdict(code: Pick<BillingCode, 'code' | 'quota'>, running: number): QuotaVerdict {
  const after = running + 1;
  const { soft, hard } = code.quota;
  if (hard !== undefined && after > hard) {
    return {
      allowed: false,
      message: `billing code "${code.code}" is at its hard quota (${running}/${hard} servers); choose another code, terminate servers charged to it, or ask an admin to raise the quota`,
    };
  }
  if (soft !== undefined && after > soft) {
    return {
      allowed: true,
      warning: `billing code "${code.code}" is over its soft quota: ${after} servers with this launch, soft quota ${soft}${hard !== undefined ? `, hard quota ${hard}` : ''}`,
    };
  }
  return { allowed: true };
}

export function codeAllowsGroup(code: BillingCode, group: string): boolean {
  return code.groups.includes(ALL_GROUPS) || code.groups.includes(group);
}
