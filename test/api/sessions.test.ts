import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionCookies } from '../../api/auth/session-cookie';
import { Keyring, keyringFromFile } from '../../secrets/keyring';
import { bearer } from '../support/api-keys';
import { waitUntil } from '../support/processes';
import { keysFileText, newKey, replaceFile, startReplicas } from '../support/replicas';

const HOUR_MS = 60 * 60 * 1000;

/** Seconds from `since` to now, to one decimal. */
const secondsSince = (since: number) => Math.round((Date.now() - since) / 100) / 10;

// Console sessions (the cookie the Temporal Web UI's codec calls ride on) with two API replicas behind one load
// balancer: any replica accepts a session another opened, and a sign-out on one ends it on both.
describe('console sessions across two API replicas', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sessions-'));
  const keysFile = path.join(dir, 'keys.json');
  const admin = newKey('admin', 'admin', ['*']);
  const other = newKey('other-admin', 'admin', ['*']);
  let env: Awaited<ReturnType<typeof startReplicas>>;

  beforeAll(async () => {
    writeFileSync(keysFile, keysFileText(admin.entry, other.entry));
    env = await startReplicas(2, { keys: keysFile });
  });
  afterAll(async () => env?.stop());

  /** Signs in to the console on a replica: the `mi_session=…` pair its Set-Cookie hands the browser. */
  const open = async (replica: number, token = admin.token) => {
    const res = await env.replicas[replica]!.app.inject({ method: 'POST', url: '/v1/session', headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    return String(res.headers['set-cookie']).split(';')[0]!;
  };
  /**
   * What the codec answers the Web UI that sends the cookie (and no key) to a replica: its encode route, which needs
   * a live admin session (decode answers anyone, and decodes only for one: test/api/codec.test.ts).
   */
  const decodeWith = async (replica: number, cookie: string) =>
    (
      await env.replicas[replica]!.app.inject({
        method: 'POST',
        url: '/codec/encode',
        payload: { payloads: [] },
        headers: { cookie },
      })
    ).statusCode;
  const onBoth = (cookie: string) => Promise.all([decodeWith(0, cookie), decodeWith(1, cookie)]);
  /** A cookie signed as the replicas sign, with the claims given. */
  const forged = (claims: { keyId?: string; expiresAt: number }, keyring: Keyring = keyringFromFile(env.keyringFile)) =>
    `mi_session=${new SessionCookies(keyring).sign({
      sessionId: randomBytes(16).toString('base64url'),
      keyId: claims.keyId ?? admin.entry.sha256.slice(0, 12),
      expiresAt: claims.expiresAt,
    })}`;

  it('accepts a session opened on one replica on the other; after sign-out on one, both refuse it within 10 s', async () => {
    const cookie = await open(0);
    const kept = await open(1);
    expect(await onBoth(cookie)).toEqual([200, 200]);

    const signedOut = Date.now();
    const closed = await env.replicas[0]!.app.inject({ method: 'DELETE', url: '/v1/session', headers: { cookie } });
    expect(closed.statusCode).toBe(204);
    expect(String(closed.headers['set-cookie'])).toContain('Max-Age=0');
    expect(await decodeWith(0, cookie), 'the replica signed out on refuses it at once').toBe(401);
    await waitUntil(async () => (await decodeWith(1, cookie)) === 401, 10_000, 'the other replica to refuse it');
    console.log(`a session signed out on one replica was refused by the other after ${secondsSince(signedOut)} s`);
    expect(await onBoth(cookie)).toEqual([401, 401]);
    expect(await onBoth(kept), 'another session of the same key lives on').toEqual([200, 200]);
  });

  it('refuses a tampered cookie, an expired one, and one signed under a key not its own', async () => {
    const genuine = forged({ expiresAt: Date.now() + HOUR_MS });
    expect(await onBoth(genuine), 'a cookie signed as the replicas sign is accepted').toEqual([200, 200]);

    // The claims changed to the other admin's key, the signature kept.
    const [body, mac] = genuine.slice('mi_session='.length).split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString());
    const changed = Buffer.from(JSON.stringify({ ...claims, p: other.entry.sha256.slice(0, 12) })).toString(
      'base64url',
    );
    expect(await onBoth(`mi_session=${changed}.${mac}`)).toEqual([401, 401]);
    const flipped = mac!.startsWith('A') ? `B${mac!.slice(1)}` : `A${mac!.slice(1)}`;
    expect(await onBoth(`mi_session=${body}.${flipped}`)).toEqual([401, 401]);

    expect(await onBoth(forged({ expiresAt: Date.now() - 1000 })), 'expired').toEqual([401, 401]);
    const stranger = new Keyring(
      [{ id: keyringFromFile(env.keyringFile).current.id, key: randomBytes(32) }],
      'another',
    );
    expect(await onBoth(forged({ expiresAt: Date.now() + HOUR_MS }, stranger)), 'same key id, other key').toEqual([
      401, 401,
    ]);
  });

  it('ends the sessions of a key removed from the keys file, on both replicas', async () => {
    const cookie = await open(1, other.token);
    expect(await onBoth(cookie)).toEqual([200, 200]);
    replaceFile(keysFile, keysFileText(admin.entry));
    await waitUntil(
      async () => (await onBoth(cookie)).every((status) => status === 401),
      10_000,
      'both replicas to refuse the removed key’s session',
    );
    replaceFile(keysFile, keysFileText(admin.entry, other.entry));
  });

  it('ends every session when the keyring rotates: a restarted replica refuses the old ones, and so does one that meets a new one', async () => {
    const before = await open(0);
    expect(await onBoth(before)).toEqual([200, 200]);
    // As `npm run keys:rotate` does, from another process, then a restart of replica 0.
    keyringFromFile(env.keyringFile).rotate();
    await env.restart(0);
    expect(await decodeWith(0, before)).toBe(401);

    // Replica 1 has not restarted yet: a session signed under the new key makes it read the key file again.
    const after = await open(0);
    expect(await onBoth(after)).toEqual([200, 200]);
    expect(await onBoth(before)).toEqual([401, 401]);
  });
});
