import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { sealBytes } from '../../secrets/aes-gcm';
import { FileKeyStore } from '../../secrets/file-key-store';
import { Keyring, keyringFromFile, parseKeys, type NamedKey } from '../../secrets/keyring';

const dir = () => mkdtempSync(path.join(tmpdir(), 'key-store-'));
const ring = (...keys: NamedKey[]) => new Keyring(keys, 'the test keyring');
const named = (id: string): NamedKey => ({ id, key: randomBytes(32) });

describe('FileKeyStore with a keyring', () => {
  const opened: FileKeyStore[] = [];
  const open = (file: string, keyring: Keyring) => {
    const store = new FileKeyStore(file, keyring);
    opened.push(store);
    return store;
  };
  afterEach(() => {
    for (const store of opened.splice(0)) store.close();
  });

  it('seals under the current key and names it on the row, in files only the owner reads', async () => {
    const directory = dir();
    const file = path.join(directory, 'keys.db');
    const store = open(file, ring(named('k1')));
    await store.put('launch/a/luks', 'correct horse');
    expect(await store.get('launch/a/luks')).toBe('correct horse');
    expect(store.keyUsage()).toEqual({ k1: 1 });
    const raw = new Database(file).prepare('SELECT sealed FROM secrets').get() as { sealed: Buffer };
    expect(raw.sealed.toString('utf8')).not.toContain('correct horse');
    const modes = Object.fromEntries(
      readdirSync(directory).map((name) => [name, statSync(path.join(directory, name)).mode & 0o777]),
    );
    expect(modes).toEqual({ 'keys.db': 0o600, 'keys.db-wal': 0o600, 'keys.db-shm': 0o600 });
  });

  it('after a rotation opens what the old key sealed and seals new secrets under the new key', async () => {
    const directory = dir();
    const keyFile = path.join(directory, 'key-store.key');
    const file = path.join(directory, 'keys.db');
    const before = open(file, keyringFromFile(keyFile));
    await before.put('launch/a/private-key', 'old secret');

    const rotated = keyringFromFile(keyFile);
    rotated.rotate();
    const after = open(file, rotated);
    expect(await after.get('launch/a/private-key')).toBe('old secret');
    await after.put('launch/b/private-key', 'new secret');
    expect(after.keyUsage()).toEqual({ k1: 1, k2: 1 });
    // The process that still holds the old ring finds the new key in the file.
    expect(await before.get('launch/b/private-key')).toBe('new secret');
  });

  it('reseals every row under the current key: then only the new key is needed, and taken marks stay', async () => {
    const file = path.join(dir(), 'keys.db');
    const [k1, k2] = [named('k1'), named('k2')];
    const old = open(file, ring(k1));
    await old.put('launch/a/luks', 'passphrase a');
    await old.put('launch/a/private-key', 'pem a');
    expect(await old.takeOnce('launch/a/private-key')).toBe('pem a');

    const both = open(file, ring(k2, k1));
    await both.put('launch/b/luks', 'passphrase b');
    expect(both.reseal()).toEqual({ resealed: 2, alreadyCurrent: 1, failed: [], currentKeyId: 'k2' });
    expect(both.keyUsage()).toEqual({ k2: 3 });
    expect(both.reseal()).toMatchObject({ resealed: 0, alreadyCurrent: 3 });

    const onlyNew = open(file, ring(k2));
    expect(await onlyNew.get('launch/a/luks')).toBe('passphrase a');
    expect(await onlyNew.get('launch/b/luks')).toBe('passphrase b');
    expect(await onlyNew.takeOnce('launch/a/private-key')).toBe('taken');
    await expect(open(file, ring(k1)).get('launch/a/luks')).rejects.toThrow(
      'secret launch/a/luks is sealed under master key "k2", which the test keyring does not hold (it holds k1); restore that key',
    );
  });

  it('reports rows no key of the ring opens and leaves them as they were', async () => {
    const file = path.join(dir(), 'keys.db');
    const lost = named('lost');
    await open(file, ring(lost)).put('launch/x/luks', 'unreachable');
    const store = open(file, ring(named('k2')));
    await store.put('launch/y/luks', 'fine');
    const report = store.reseal();
    expect(report).toMatchObject({
      resealed: 0,
      alreadyCurrent: 1,
      failed: [{ ref: 'launch/x/luks', keyId: 'lost', reason: expect.stringContaining('restore that key') }],
    });
    expect(await open(file, ring(lost)).get('launch/x/luks')).toBe('unreachable');
  });

  it('opens rows sealed before keyrings (named by the master key fingerprint) under a bare KEY_STORE_MASTER_KEY, and reseals them', async () => {
    const file = path.join(dir(), 'keys.db');
    const masterKey = randomBytes(32);
    open(file, ring(named('setup'))); // creates the table
    const legacyId = createHash('sha256').update(masterKey).digest('hex').slice(0, 16);
    const sealed = sealBytes(masterKey, Buffer.from('legacy passphrase'), Buffer.from('launch/old/luks'));
    new Database(file)
      .prepare('INSERT INTO secrets (ref, key_id, iv, tag, sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run('launch/old/luks', legacyId, sealed.iv, sealed.tag, sealed.sealed, Date.now());

    const legacy = new Keyring(parseKeys(masterKey.toString('base64'), 'KEY_STORE_MASTER_KEY'), 'KEY_STORE_MASTER_KEY');
    const store = open(file, legacy);
    expect(await store.get('launch/old/luks')).toBe('legacy passphrase');
    expect(store.reseal()).toMatchObject({ resealed: 1, currentKeyId: 'k1' });
    expect(store.keyUsage()).toEqual({ k1: 1 });
    expect(await store.get('launch/old/luks')).toBe('legacy passphrase');
  });

  it('binds each seal to its reference: a sealed value moved to another reference does not open', async () => {
    const file = path.join(dir(), 'keys.db');
    const store = open(file, ring(named('k1')));
    await store.put('launch/a/luks', 'mine');
    await store.put('launch/b/luks', 'theirs');
    const db = new Database(file);
    db.prepare(
      'UPDATE secrets SET iv = (SELECT iv FROM secrets WHERE ref = ?), tag = (SELECT tag FROM secrets WHERE ref = ?), sealed = (SELECT sealed FROM secrets WHERE ref = ?) WHERE ref = ?',
    ).run('launch/a/luks', 'launch/a/luks', 'launch/a/luks', 'launch/b/luks');
    await expect(store.get('launch/b/luks')).rejects.toThrow();
  });
});
