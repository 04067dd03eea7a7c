import { z } from 'zod';

/** A cloud's account id, checked against the driver's own rule (capabilities.imageSharing) by the route. */
const AccountId = z.string().min(1).max(64).describe('an account id of the cloud (12 digits on aws)');

export const ImageShareRequestSchema = z
  .object({
    accounts: z
      .array(AccountId)
      .max(100, 'name at most 100 accounts in one request')
      .optional()
      .describe('accounts to grant (POST) or revoke (DELETE) launch permission'),
    public: z
      .boolean()
      .optional()
      .describe('true: make the image public (POST) or private again (DELETE); needs the admin role'),
  })
  .strict()
  .refine((body) => (body.accounts?.length ?? 0) > 0 || body.public === true, {
    message: 'name accounts (at least one), or public: true',
    path: ['accounts'],
  });

export const ImageSharesSchema = z.object({
  imageId: z.string(),
  region: z.string(),
  accounts: z.array(z.string()).describe('accounts that may launch the image besides its owner'),
  public: z.boolean().describe('whether every account of the cloud may launch it'),
});
