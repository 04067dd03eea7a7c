import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// AES-256-GCM, the one cipher of the key store and the payload codec: a fresh 96-bit IV per seal, a 128-bit tag.

export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export interface Sealed {
  iv: Buffer;
  tag: Buffer;
  sealed: Buffer;
}

/** `additionalData` is authenticated, not stored: the opener must present the same bytes. */
export function sealBytes(key: Buffer, plaintext: Uint8Array, additionalData?: Uint8Array): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (additionalData) cipher.setAAD(additionalData);
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), sealed };
}

/** Throws when the key is wrong or a byte was changed: GCM authenticates before it returns anything. */
export function openBytes(key: Buffer, { iv, tag, sealed }: Sealed, additionalData?: Uint8Array): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  if (additionalData) decipher.setAAD(additionalData);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed), decipher.final()]);
}
