import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import { IV_BYTES, TAG_BYTES, openBytes, sealBytes } from './aes-gcm';
import type { Keyring } from './keyring';
import { inTheClear } from './public-payloads';

// Every payload a client or worker sends to Temporal (arguments, results, memos, queries, summaries) is sealed
// with AES-256-GCM: the server, its database and anyone reading raw history see only `binary/encrypted` bytes.
// The whole original payload (its metadata too) is the plaintext; the key id travels in the metadata, so payloads
// sealed under an older key still open after a rotation. Search attributes never pass through codecs. The one
// exception is the text marked for people reading Temporal directly (summaries, current details), which is stored in
// the clear so that the Web UI and the CLI read it without this codec (secrets/public-payloads.ts).

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const { Payload: PayloadMessage } = proto.temporal.api.common.v1;
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

export class PayloadEncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keyring.current;
    return payloads.map((payload) => {
      const clear = inTheClear(payload);
      if (clear) return clear;
      const { iv, sealed, tag } = sealBytes(key, PayloadMessage.encode(payload).finish(), Buffer.from(id));
      return {
        metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(id) },
        data: Buffer.concat([iv, sealed, tag]),
      };
    });
  }

  /** Payloads this codec did not seal (written before it was on, or by a client without it) pass unchanged. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
      const id = text(payload.metadata?.[KEY_ID_METADATA]);
      if (!id)
        throw new ValueError(`an encrypted payload names no ${KEY_ID_METADATA}; it was not sealed by this service`);
      const key = this.keyring.find(id);
      if (!key) {
        throw new ValueError(
          `a payload is encrypted under key "${id}", which ${this.keyring.source} does not hold (it holds ${this.keyring.ids.join(', ')}); add that key back to decode it`,
        );
      }
      const data = Buffer.from(payload.data ?? []);
      if (data.length < IV_BYTES + TAG_BYTES)
        throw new ValueError(`an encrypted payload under key "${id}" is too short to be one`);
      const envelope = {
        iv: data.subarray(0, IV_BYTES),
        sealed: data.subarray(IV_BYTES, data.length - TAG_BYTES),
        tag: data.subarray(data.length - TAG_BYTES),
      };
      let plaintext: Buffer;
      try {
        plaintext = openBytes(key, envelope, Buffer.from(id));
      } catch {
        throw new ValueError(
          `a payload under key "${id}" does not open with the key of that id in ${this.keyring.source}: the key was replaced, or the payload altered`,
        );
      }
      return PayloadMessage.decode(plaintext);
    });
  }
}
