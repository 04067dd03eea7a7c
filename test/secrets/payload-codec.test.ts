import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { Keyring, keyringFromFile, type NamedKey } from '../../secrets/keyring';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA, PayloadEncryptionCodec } from '../../secrets/payload-codec';

const named = (id: string): NamedKey => ({ id, key: randomBytes(32) });
const codecOf = (...keys: NamedKey[]) => new PayloadEncryptionCodec(new Keyring(keys, 'PAYLOAD_CODEC_KEYS'));
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const secretPayload = () =>
  defaultPayloadConverter.toPayload({
    passphrase: 'correct horse battery staple',
    pem: '-----BEGIN RSA PRIVATE KEY-----',
  });

describe('PayloadEncryptionCodec', () => {
  it('round-trips: the encoded payload hides data and metadata, the decoded one is the original', async () => {
    const codec = codecOf(named('k1'));
    const original = secretPayload();
    const [encoded] = await codec.encode([original]);
    expect(text(encoded!.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded!.metadata?.[KEY_ID_METADATA])).toBe('k1');
    expect(Object.keys(encoded!.metadata ?? {}).sort()).toEqual(['encoding', KEY_ID_METADATA].sort());
    expect(text(encoded!.data)).not.toContain('correct horse');
    expect(text(encoded!.data)).not.toContain('json/plain');
    expect(() => JSON.parse(text(encoded!.data))).toThrow();

    const [decoded] = await codec.decode([encoded!]);
    expect(text(decoded!.metadata?.encoding)).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({
      passphrase: 'correct horse battery staple',
      pem: '-----BEGIN RSA PRIVATE KEY-----',
    });
  });

  it('seals each payload with a fresh IV: the same value twice gives different bytes', async () => {
    const codec = codecOf(named('k1'));
    const [a, b] = await codec.encode([secretPayload(), secretPayload()]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('leaves payloads it did not encrypt unchanged, as history written before the codec was on', async () => {
    const plain = defaultPayloadConverter.toPayload('hello');
    const empty: Payload = { metadata: { encoding: Buffer.from('binary/null') } };
    expect(await codecOf(named('k1')).decode([plain, empty])).toEqual([plain, empty]);
  });

  it('fails with a clear error on a key id the keyring does not hold', async () => {
    const [encoded] = await codecOf(named('k9')).encode([secretPayload()]);
    await expect(codecOf(named('k1'), named('k2')).decode([encoded!])).rejects.toThrow(
      'a payload is encrypted under key "k9", which PAYLOAD_CODEC_KEYS does not hold (it holds k1, k2); add that key back to decode it',
    );
  });

  it('fails on a key of the right id but the wrong bytes, and on altered data', async () => {
    const [encoded] = await codecOf(named('k1')).encode([secretPayload()]);
    await expect(codecOf(named('k1')).decode([encoded!])).rejects.toThrow(
      'does not open with the key of that id in PAYLOAD_CODEC_KEYS',
    );
    const k1 = named('k1');
    const [mine] = await codecOf(k1).encode([secretPayload()]);
    const altered = Buffer.from(mine!.data!);
    altered[20] = altered[20]! ^ 1;
    await expect(codecOf(k1).decode([{ ...mine!, data: altered }])).rejects.toThrow(
      'the key was replaced, or the payload altered',
    );
  });

  it('after a rotation encodes under the new key and still decodes what the old key encrypted', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'codec-')), 'payload-codec.keys');
    const before = new PayloadEncryptionCodec(keyringFromFile(file));
    const [old] = await before.encode([secretPayload()]);
    expect(text(old!.metadata?.[KEY_ID_METADATA])).toBe('k1');

    const ring = keyringFromFile(file);
    ring.rotate();
    const after = new PayloadEncryptionCodec(ring);
    const [fresh] = await after.encode([secretPayload()]);
    expect(text(fresh!.metadata?.[KEY_ID_METADATA])).toBe('k2');
    const decoded = await after.decode([old!, fresh!]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload<{ passphrase: string }>(p).passphrase)).toEqual([
      'correct horse battery staple',
      'correct horse battery staple',
    ]);
    // A process still on the old ring finds k2 in the file when it meets it.
    expect(defaultPayloadConverter.fromPayload((await before.decode([fresh!]))[0]!)).toMatchObject({
      passphrase: 'correct horse battery staple',
    });
  });
});
