import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SessionCookies } from '../../api/auth/session-cookie';
import { keyringFromFile } from '../../secrets/keyring';

// A cookie's key id is the caller's to choose: one the ring does not know makes it read its file again (another
// replica may have rotated), but not on every request.
describe('session cookies under a key id the ring does not know', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'session-cookie-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const forged = (keyId: string) =>
    `${Buffer.from(JSON.stringify({ k: keyId, s: 'sid', p: 'key', e: Date.now() + 60_000 })).toString('base64url')}.AAAA`;

  it('read the key file again at most every 5 s', () => {
    const file = path.join(dir, 'keys');
    const cookies = new SessionCookies(keyringFromFile(file));
    const now = Date.now();
    expect(cookies.verify(forged('nope-1'), now)).toBeUndefined(); // reads the file: not there either
    // Gone now: a read would throw. Within 5 s, forged ids are refused without one.
    rmSync(file);
    for (let i = 0; i < 100; i++) expect(cookies.verify(forged(`nope-${i}`), now + 4_000)).toBeUndefined();
    expect(() => cookies.verify(forged('nope-x'), now + 6_000), 'after 5 s it reads again').toThrow(/ENOENT/);
  });
});
