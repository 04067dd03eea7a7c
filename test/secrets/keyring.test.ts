import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../config/paths';
import { Keyring, keyringFromFile, loadKeyring, parseKeys } from '../../secrets/keyring';

const b64 = () => randomBytes(32).toString('base64');
const tempFile = (name = 'test.keys') => path.join(mkdtempSync(path.join(tmpdir(), 'keyring-')), 'nested', name);
const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('keyring from an environment value', () => {
  it('reads id:base64 entries, the first one current, every one findable', () => {
    const [a, b] = [b64(), b64()];
    const ring = loadKeyring({ fromEnv: `new:${a}, old:${b}`, variable: 'PAYLOAD_CODEC_KEYS', keyFile: tempFile() });
    expect(ring.current.id).toBe('new');
    expect(ring.current.key.toString('base64')).toBe(a);
    expect(ring.ids).toEqual(['new', 'old']);
    expect(ring.find('old')?.toString('base64')).toBe(b);
    expect(ring.find('gone')).toBeUndefined();
    expect(ring.file).toBeUndefined();
  });

  it('accepts a lone bare base64 key as key k1, as the single-key variable held it', () => {
    const key = b64();
    const ring = loadKeyring({ fromEnv: key, variable: 'KEY_STORE_MASTER_KEY', keyFile: tempFile() });
    expect(ring.ids).toEqual(['k1']);
    expect(ring.current.key.toString('base64')).toBe(key);
  });

  it('names the variable and the key at fault, never echoing key material', () => {
    const parse = (value: string) => () => parseKeys(value, 'PAYLOAD_CODEC_KEYS');
    const short = randomBytes(16).toString('base64');
    expect(parse(`k2:${short}`)).toThrow(
      'PAYLOAD_CODEC_KEYS: key "k2" is not base64 of exactly 32 bytes; make one with: openssl rand -base64 32',
    );
    expect(parse(`k2:${b64().slice(0, -2)}!!`)).toThrow('key "k2" is not base64');
    expect(parse(`k1:${b64()},${b64()}`)).toThrow(
      'PAYLOAD_CODEC_KEYS: entry 2 has no key id; write every key as id:base64',
    );
    expect(parse(`a:${b64()},a:${b64()}`)).toThrow('PAYLOAD_CODEC_KEYS: key id "a" appears twice');
    expect(parse(' , ')).toThrow('PAYLOAD_CODEC_KEYS holds no key');
    const secretLooking = b64();
    const err = (() => {
      try {
        parseKeys(`${secretLooking}x y:${b64()}`, 'PAYLOAD_CODEC_KEYS');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toBe(
      'PAYLOAD_CODEC_KEYS: entry 1 has a malformed key id; use 1 to 64 letters, digits, dots, hyphens or underscores',
    );
    expect(err?.message).not.toContain(secretLooking.slice(0, 10));
  });

  it('is not rotated in place: the message says how to rotate the variable', () => {
    const ring = new Keyring(parseKeys(`k1:${b64()}`, 'KEY_STORE_MASTER_KEY'), 'KEY_STORE_MASTER_KEY');
    expect(() => ring.rotate()).toThrow(
      'keys from KEY_STORE_MASTER_KEY are not rotated here: put a new id:key first in KEY_STORE_MASTER_KEY',
    );
  });
});

describe('keyring from a key file', () => {
  it('generates the file with mode 0600 when absent, and reads the same key afterwards', () => {
    const file = tempFile();
    const first = keyringFromFile(file);
    expect(existsSync(file)).toBe(true);
    expect(modeOf(file)).toBe(0o600);
    expect(first.ids).toEqual(['k1']);
    expect(keyringFromFile(file).current.key.equals(first.current.key)).toBe(true);
    expect(loadKeyring({ variable: 'PAYLOAD_CODEC_KEYS', keyFile: file }).file).toBe(file);
  });

  it('gives every process that starts at once the same generated key', async () => {
    const file = tempFile();
    const script = `import { keyringFromFile } from './secrets/keyring.ts'; import { createHash } from 'node:crypto';
      console.log(createHash('sha256').update(keyringFromFile(process.argv[1]).current.key).digest('hex'));`;
    const runs = Array.from({ length: 6 }, () =>
      promisify(execFile)('node', ['--import', 'tsx', '--input-type=module', '-e', script, file], {
        cwd: PROJECT_ROOT,
      }),
    );
    const fingerprints = (await Promise.all(runs)).map((run) => run.stdout.trim());
    expect(new Set(fingerprints).size).toBe(1);
    expect(keyringFromFile(file).ids).toEqual(['k1']);
  });

  it('reads the single-key format (one bare base64 line) as key k1, and tightens a loose mode to 0600', () => {
    const file = tempFile();
    keyringFromFile(file);
    const key = b64();
    writeFileSync(file, `${key}\n`);
    chmodSync(file, 0o644);
    const ring = keyringFromFile(file);
    expect(ring.ids).toEqual(['k1']);
    expect(ring.current.key.toString('base64')).toBe(key);
    expect(modeOf(file)).toBe(0o600);
  });

  it('rotates: a new current key first, every old key kept, in the file too', () => {
    const file = tempFile();
    const ring = keyringFromFile(file);
    const old = ring.current;
    const added = ring.rotate();
    expect(added.id).toBe('k2');
    expect(ring.current).toEqual(added);
    expect(ring.ids).toEqual(['k2', 'k1']);
    expect(ring.find('k1')?.equals(old.key)).toBe(true);
    const reread = keyringFromFile(file);
    expect(reread.ids).toEqual(['k2', 'k1']);
    expect(reread.current.key.equals(added.key)).toBe(true);
    expect(modeOf(file)).toBe(0o600);
    expect(ring.rotate().id).toBe('k3');
    expect(keyringFromFile(file).ids).toEqual(['k3', 'k2', 'k1']);
  });

  it('rotates a single-key file, keeping its bare key as k1', () => {
    const file = tempFile();
    keyringFromFile(file);
    const key = b64();
    writeFileSync(file, key);
    keyringFromFile(file).rotate();
    const ring = keyringFromFile(file);
    expect(ring.ids).toEqual(['k2', 'k1']);
    expect(ring.find('k1')?.toString('base64')).toBe(key);
  });

  it('finds a key another process added after this one read the file', () => {
    const file = tempFile();
    const running = keyringFromFile(file);
    const added = keyringFromFile(file).rotate();
    expect(running.find(added.id)?.equals(added.key)).toBe(true);
    expect(running.current.id).toBe(added.id);
  });

  it('refuses a second rotation while one is in progress (or one was interrupted), naming the file to remove', () => {
    const file = tempFile();
    const ring = keyringFromFile(file);
    writeFileSync(`${file}.rotating`, 'half');
    expect(() => ring.rotate()).toThrow(
      `another rotation of ${file} is running; if none is, an interrupted one left ${file}.rotating`,
    );
    expect(keyringFromFile(file).ids).toEqual(['k1']);
  });

  it('never replaces a key file that exists, and names a malformed one', () => {
    const file = tempFile();
    const first = keyringFromFile(file);
    const before = readFileSync(file, 'utf8');
    keyringFromFile(file);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(first.ids).toEqual(['k1']);
    writeFileSync(file, `k1:${b64()}\nk2:not-a-key\n`);
    expect(() => keyringFromFile(file)).toThrow(`${file}: key "k2" is not base64 of exactly 32 bytes`);
  });
});
