import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ALL_GROUPS, GroupNameSchema, ROLES, groupsOf, type Principal } from '../../domain/access';

// API keys are high-entropy random tokens; the keys file holds only their SHA-256, so reading it grants nothing.
// (A slow password hash buys nothing for 256 random bits and would cost every request.)

const TOKEN_PREFIX = 'mik_';

export const ApiKeyEntrySchema = z
  .object({
    principal: z.string().min(1).max(128),
    role: z.enum(ROLES),
    groups: z.array(z.union([GroupNameSchema, z.literal(ALL_GROUPS)])).default([]),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'the hex SHA-256 of the key, as `npm run api-key` prints it'),
  })
  .strict();
export const ApiKeysFileSchema = z.object({ keys: z.array(ApiKeyEntrySchema) }).strict();
export type ApiKeyEntry = z.output<typeof ApiKeyEntrySchema>;

export const newApiKeyToken = (): string => TOKEN_PREFIX + randomBytes(32).toString('base64url');
export const hashApiKey = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** The keys that may call the API, by the hash of their token. */
export class ApiKeys {
  private readonly byHash = new Map<string, Principal>();
  private readonly byId = new Map<string, Principal>();

  constructor(entries: readonly ApiKeyEntry[]) {
    for (const entry of entries) {
      const principal: Principal = {
        name: entry.principal,
        role: entry.role,
        groups: groupsOf(entry.role, entry.groups),
        keyId: entry.sha256.slice(0, 12),
      };
      this.byHash.set(entry.sha256, principal);
      this.byId.set(principal.keyId, principal);
    }
  }

  get size(): number {
    return this.byHash.size;
  }

  /** The principal a token belongs to; undefined for any token not in the file. */
  lookup(token: string): Principal | undefined {
    return this.byHash.get(hashApiKey(token));
  }

  /** The principal of a key by its id (a browser session names the key it was opened with); undefined once removed. */
  byKeyId(keyId: string): Principal | undefined {
    return this.byId.get(keyId);
  }
}

/** Reads API_KEYS_FILE; a bad file stops start-up with the entry and field at fault. */
export function readApiKeysFile(file: string): ApiKeys {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(
      `API_KEYS_FILE ${file}: ${(err as Error).message}; it must be JSON: {"keys": [{"principal", "role", "groups", "sha256"}]}`,
      { cause: err },
    );
  }
  const parsed = ApiKeysFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new Error(`API_KEYS_FILE ${file} is not valid: ${problems.join('; ')}`);
  }
  return new ApiKeys(parsed.data.keys);
}
