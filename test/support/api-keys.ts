import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { ApiKeys, hashApiKey, newApiKeyToken } from '../../api/auth/api-keys';
import type { Role } from '../../domain/access';
import { Keyring } from '../../secrets/keyring';

/**
 * Keys for the tests: an admin, an operator and a viewer of group `ops` (the test launches' group), an operator of
 * `data`; `apiKeys` answers them as the app asks for the keys in force; `sessionKeyring` signs console sessions.
 */
export function testApiKeys() {
  const tokens = {
    admin: newApiKeyToken(),
    operator: newApiKeyToken(),
    viewer: newApiKeyToken(),
    outsider: newApiKeyToken(),
  };
  const entry = (principal: keyof typeof tokens, role: Role, groups: string[]) => ({
    principal,
    role,
    groups,
    sha256: hashApiKey(tokens[principal]),
  });
  const apiKeys = new ApiKeys([
    entry('admin', 'admin', ['*']),
    entry('operator', 'operator', ['ops']),
    entry('viewer', 'viewer', ['ops']),
    entry('outsider', 'operator', ['data']),
  ]);
  // What the app signs console sessions with: a ring of its own, as the key store's is in production.
  const sessionKeyring = new Keyring([{ id: 'test', key: randomBytes(32) }], 'the test session keyring');
  return { apiKeys: () => apiKeys, sessionKeyring, tokens };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * Requests through `app.inject` carry the given key unless they set `authorization` themselves; an empty
 * `authorization` sends none (for the 401 tests).
 */
export function injectWithKey(app: FastifyInstance, token: string): void {
  const inject = app.inject.bind(app);
  app.inject = ((options: InjectOptions | string) => {
    const opts: InjectOptions = typeof options === 'string' ? { url: options } : options;
    const headers: Record<string, unknown> = { ...(opts.headers ?? {}) };
    if (headers.authorization === undefined) headers.authorization = `Bearer ${token}`;
    if (headers.authorization === '') delete headers.authorization;
    return inject({ ...opts, headers: headers as InjectOptions['headers'] });
  }) as typeof app.inject;
}
