import path from 'node:path';
import type { PayloadCodec } from '@temporalio/common';
import type { Config } from '../config/config';
import { loadKeyring, type Keyring } from './keyring';
import { PayloadEncryptionCodec } from './payload-codec';
import { PublicTextCodec } from './public-payloads';

// The service's two keyrings, where they come from: a variable when set, else a key file under DATA_DIR.
// One place, so the worker, the API and `npm run keys:rotate` always open the same files.

type KeyConfig = Pick<Config, 'DATA_DIR' | 'KEY_STORE_MASTER_KEY' | 'PAYLOAD_CODEC' | 'PAYLOAD_CODEC_KEYS'>;

export const keyStoreFile = (config: Pick<Config, 'DATA_DIR'>) => path.join(config.DATA_DIR, 'keys.db');

/** Seals the key store's rows. */
export const keyStoreKeyring = (config: KeyConfig): Keyring =>
  loadKeyring({
    fromEnv: config.KEY_STORE_MASTER_KEY,
    variable: 'KEY_STORE_MASTER_KEY',
    keyFile: path.join(config.DATA_DIR, 'key-store.key'),
  });

/** Seals every Temporal payload. */
export const payloadCodecKeyring = (config: KeyConfig): Keyring =>
  loadKeyring({
    fromEnv: config.PAYLOAD_CODEC_KEYS,
    variable: 'PAYLOAD_CODEC_KEYS',
    keyFile: path.join(config.DATA_DIR, 'payload-codec.keys'),
  });

/**
 * The codecs every client and worker of the service uses: the encryption codec, unless PAYLOAD_CODEC=off; then one
 * that only takes the public-text mark off summaries and details.
 */
export const payloadCodecs = (config: KeyConfig): PayloadCodec[] =>
  config.PAYLOAD_CODEC === 'off' ? [new PublicTextCodec()] : [new PayloadEncryptionCodec(payloadCodecKeyring(config))];
