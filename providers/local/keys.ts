import { ProviderError } from '../../domain/cloud-errors';

// Key pair fingerprints and public keys as the local clouds (sim, qemu) read them, the way EC2 does.

/** A digest as colon-separated hex pairs, as EC2 shows fingerprints. */
export const colonHex = (digest: Buffer) => digest.toString('hex').match(/../g)!.join(':');

/** An OpenSSH public key line's type, base64 body and key blob; anything else is refused as InvalidInput. */
export function openSshPublicKey(publicKey: string): { type: string; body: string; blob: Buffer } {
  const [type, body] = publicKey.trim().split(/\s+/);
  const blob = body ? Buffer.from(body, 'base64') : Buffer.alloc(0);
  if (!type || !body || !/^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp(256|384|521))$/.test(type) || blob.length < 32) {
    throw new ProviderError(
      'InvalidInput',
      'public key is not in OpenSSH format ("ssh-ed25519 AAAA..." or "ssh-rsa AAAA...")',
    );
  }
  return { type, body, blob };
}
