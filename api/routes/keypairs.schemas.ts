import { z } from 'zod';
import { GroupNameSchema } from '../../domain/launch-request';

export const KeypairSchema = z.object({
  name: z.string(),
  region: z.string(),
  fingerprint: z.string(),
  group: z.string().optional().describe('whose it is; absent: the account’s, shared by every group'),
  tags: z.record(z.string(), z.string()),
});

export const KeypairListQuery = z.object({
  region: z.string().min(1).max(64).optional().describe('unset: every region'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(1024).optional().describe('nextCursor of the page before'),
});

export const KeypairListSchema = z.object({ items: z.array(KeypairSchema), nextCursor: z.string().optional() });

export const CreateKeypairSchema = z
  .object({
    region: z.string().min(1, 'name a region; GET /v1/regions lists them').max(64),
    name: z.string().min(1).max(255).describe('unique in its region; GET /v1/capabilities says what the cloud takes'),
    group: GroupNameSchema.optional().describe(
      'the group it is for; unset: the caller’s only group (an admin’s: the account’s, shared by every group)',
    ),
    publicKey: z
      .string()
      .min(1)
      .max(8192)
      .optional()
      .describe(
        'import: one line of an OpenSSH public key (ssh-ed25519, ecdsa-sha2-nistp256/384/521, or ssh-rsa of 2048 bits or more); unset: the cloud makes the key pair',
      ),
  })
  // A misspelt publicKey must not quietly make a new key pair instead of importing one.
  .strict();

export const CreatedKeypairSchema = KeypairSchema.extend({
  privateKey: z
    .string()
    .optional()
    .describe(
      'when the cloud made the key pair: its private key as PEM, handed out in this answer only; save it now. Import a key pair of your own if it is lost',
    ),
});

export const KeypairParams = z.object({ name: z.string().min(1).max(255) });
