import { z } from 'zod';

export const RegionQuery = z.object({
  region: z.string().min(1, 'name a region; GET /v1/regions lists them').max(64),
});

export const ProductSchema = z.object({
  id: z.string(),
  name: z.string(),
  cpuCount: z.number(),
  memoryGb: z.number(),
  rootDiskGb: z.number(),
  architecture: z.enum(['x86_64', 'arm64']),
});

export const ProductsQuery = RegionQuery.extend({
  architecture: z.enum(['x86_64', 'arm64']).optional(),
  cpu: z.coerce.number().int().min(1).optional(),
  memoryGb: z.coerce.number().positive().optional(),
  storageGb: z.coerce.number().int().min(1).optional(),
});

const NamingRuleSchema = z.object({
  pattern: z.string(),
  minLength: z.number().int(),
  maxLength: z.number().int(),
  hint: z.string(),
});

/** What the cloud of a region can do, as its driver says: what a form should offer, and what the API will refuse. */
export const CapabilitiesSchema = z.object({
  provider: z.string().describe('the cloud driver: sim, aws or qemu'),
  region: z.string(),
  publicLibrary: z.boolean().describe('whether the cloud has public images to search and launch'),
  captureFrom: z.array(z.enum(['running', 'stopped'])).describe('the server states an image can be captured from'),
  clientTokens: z.boolean().describe('whether a retried create is recognised by the cloud itself'),
  blockEncryption: z.boolean().describe('whether volumes can be encrypted by the cloud (otherwise LUKS in the guest)'),
  maxVolumesPerServer: z.number().int(),
  ipv6Firewall: z.boolean().describe('whether firewall rules may name IPv6 sources'),
  volumeTypes: z.array(z.string()).optional().describe('the disk types a volume may have, the default first'),
  labels: z.boolean(),
  deprecation: z.boolean().describe('whether images can be deprecated'),
  disableImage: z.boolean().describe('whether images can be disabled before they are deleted'),
  imageSharing: z
    .object({ account: NamingRuleSchema })
    .optional()
    .describe(
      'present where own images can be shared with other accounts or made public: what an account id looks like',
    ),
  naming: z.object({
    server: NamingRuleSchema,
    image: NamingRuleSchema,
    keypair: NamingRuleSchema,
    firewall: NamingRuleSchema,
  }),
});
