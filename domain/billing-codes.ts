import { z } from 'zod';
import { ALL_GROUPS, GroupNameSchema } from './access';

export { quotaVerdict, type QuotaVerdict } from './quota';

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

export function codeAllowsGroup(code: BillingCode, group: string): boolean {
  return code.groups.includes(ALL_GROUPS) || code.groups.includes(group);
}
