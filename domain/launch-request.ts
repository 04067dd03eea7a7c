import { z } from 'zod';

// One schema for the API and the workflow: what a person asks for when launching a server from an image.
// It grows with the launch (firewall, key pair, volumes); what it does not know yet it rejects.

/** Server names: what every supported cloud accepts as a name tag and a hostname label. */
export const ServerNameSchema = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'use 1 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit',
  );

export const ProductChoiceSchema = z.union(
  [
  z.object({ productId: z.string().min(1) }).strict(),
  z
    .object({
      cpu: z.number().int().min(1).max(448),
      memoryGb: z.number().positive().max(24576),
      storageGb: z.number().int().min(1).max(65536),
    })
    .strict(),
  ],
  { error: 'give either {productId} or {cpu, memoryGb, storageGb} as numbers (the smallest fitting product is chosen)' },
);

export const LaunchRequestSchema = z
  .object({
    imageId: z.string().min(1).max(128),
    name: ServerNameSchema,
    description: z.string().max(255).optional(),
    region: z.string().min(1).max(64),
    zone: z.string().min(1).max(64).optional(),
    product: ProductChoiceSchema,
    group: z.string().min(1).max(64),
    billingCode: z.string().min(1).max(64),
    labels: z.record(z.string().max(128), z.string().max(256)).optional(),
  })
  .strict();

export type LaunchRequest = z.infer<typeof LaunchRequestSchema>;
export type ProductChoice = z.infer<typeof ProductChoiceSchema>;
