import { randomBytes } from 'node:crypto';
import { RawValue, defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { publicText } from '../../domain/public-text';
import { Keyring } from '../../secrets/keyring';
import { ENCRYPTED_ENCODING, PayloadEncryptionCodec } from '../../secrets/payload-codec';
import { PublicTextCodec } from '../../secrets/public-payloads';

const codec = new PayloadEncryptionCodec(new Keyring([{ id: 'k1', key: randomBytes(32) }], 'PAYLOAD_CODEC_KEYS'));
const encoding = (payload: Payload) => Buffer.from(payload.metadata?.encoding ?? []).toString();
const value = (payload: Payload) => defaultPayloadConverter.fromPayload(payload);
/** The SDK's answer to `__temporal_workflow_metadata`, made the way the workflow sandbox makes it. */
const metadataAnswer = (currentDetails: string, extra: Record<string, unknown> = {}) =>
  new RawValue({
    definition: { type: 'launchServer', queryDefinitions: [{ name: 'progress' }] },
    currentDetails,
    ...extra,
  }).payload;

describe('the payload codec and public text', () => {
  it('stores a marked summary as plain JSON without the mark, and seals the same text unmarked', async () => {
    const summary = 'Launch web-1 from img-1 in sim-east-1 for group web, billing code cc-1';
    const [clear, sealed] = await codec.encode([
      defaultPayloadConverter.toPayload(publicText(summary)),
      defaultPayloadConverter.toPayload(summary),
    ]);
    expect(encoding(clear!)).toBe('json/plain');
    expect(Buffer.from(clear!.data!).toString()).toBe(JSON.stringify(summary));
    expect(encoding(sealed!)).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(sealed!.data!).toString()).not.toContain('web-1');
    // Read back through the codec, both are the text itself.
    expect((await codec.decode([clear!, sealed!])).map(value)).toEqual([summary, summary]);
  });

  it('stores the workflow metadata query answer in the clear only when its details are marked and it has no other field', async () => {
    const details = 'launch web-1 from img-1 on m1.small, server i-1 for group web, billing code cc-1: wait-ready';
    const [clear, unmarked, padded] = await codec.encode([
      metadataAnswer(publicText(details)),
      metadataAnswer(details),
      metadataAnswer(publicText(details), { privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----' }),
    ]);
    expect(encoding(clear!)).toBe('json/plain');
    expect(value(clear!)).toMatchObject({ currentDetails: details, definition: { type: 'launchServer' } });
    expect(encoding(unmarked!)).toBe(ENCRYPTED_ENCODING);
    expect(encoding(padded!)).toBe(ENCRYPTED_ENCODING);
  });

  it('seals objects, other encodings and strings that only contain the mark further in', async () => {
    const [object, binary, inside] = await codec.encode([
      defaultPayloadConverter.toPayload({ summary: publicText('x'), passphrase: 'p' }),
      defaultPayloadConverter.toPayload(Buffer.from(publicText('x'))),
      defaultPayloadConverter.toPayload(`secret ${publicText('x')}`),
    ]);
    expect([object, binary, inside].map((p) => encoding(p!))).toEqual([
      ENCRYPTED_ENCODING,
      ENCRYPTED_ENCODING,
      ENCRYPTED_ENCODING,
    ]);
  });

  it('with PAYLOAD_CODEC=off takes the mark off and leaves everything else as it is', async () => {
    const other = defaultPayloadConverter.toPayload({ a: 1 });
    const [summary, untouched] = await new PublicTextCodec().encode([
      defaultPayloadConverter.toPayload(publicText('Delete image img-1 in sim-east-1')),
      other,
    ]);
    expect(value(summary!)).toBe('Delete image img-1 in sim-east-1');
    expect(untouched).toBe(other);
  });
});
