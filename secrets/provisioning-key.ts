import { generateKeyPairSync } from 'node:crypto';
// ssh2 is CommonJS: Node's ESM loader sees only its default export.
import ssh2 from 'ssh2';
import { secretRefs, type KeyStore } from './key-store';

export interface ProvisioningKey {
  /** For the ssh guest executor; never leaves the worker. */
  privateKeyPem: string;
  /** `ssh-rsa AAAA... machine-images`, for the guest's authorized_keys through user data. */
  publicKey: string;
}

/** The service's own SSH key for guests, made once and kept in the key store. */
export async function provisioningKey(keys: KeyStore): Promise<ProvisioningKey> {
  const privateKeyPem = await keys.getOrCreate(secretRefs.provisioningKey, () =>
    generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  );
  const parsed = ssh2.utils.parseKey(privateKeyPem);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  return { privateKeyPem, publicKey: `${key.type} ${key.getPublicSSH().toString('base64')} machine-images` };
}
