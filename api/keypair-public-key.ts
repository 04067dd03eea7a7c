import { createPublicKey } from 'node:crypto';
import ssh2 from 'ssh2';
import { ApiError } from './errors';

// What an imported key pair's public half may be: the types every cloud and current OpenSSH accept, and RSA no
// shorter than NIST's floor. Checked here, so the caller learns what to do instead of a cloud's terse refusal.

const MIN_RSA_BITS = 2048;
const ACCEPTED = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa'];
const HOW =
  'paste one line of an OpenSSH public key (the .pub file, "ssh-ed25519 AAAA... comment"), e.g. from ssh-keygen -t ed25519';

const refuse = (field: string, message: string) => new ApiError(400, 'invalid_request', `${field}: ${message}`);

/** The public key as one trimmed line, or a 400 naming the field; the text itself is never echoed (it may be a private key). */
export function requireAcceptablePublicKey(publicKey: string, field: string): string {
  const line = publicKey.trim();
  if (/PRIVATE KEY/.test(line))
    throw refuse(field, `this is a private key; never send it. Send its public half instead: ${HOW}`);
  if (/[\r\n]/.test(line)) throw refuse(field, `give one line; ${HOW}`);
  const parsed = (() => {
    try {
      return ssh2.utils.parseKey(line);
    } catch (err) {
      return err as Error;
    }
  })();
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error) throw refuse(field, `not an OpenSSH public key; ${HOW}`);
  if (key.isPrivateKey())
    throw refuse(field, `this is a private key; never send it. Send its public half instead: ${HOW}`);
  if (!ACCEPTED.includes(key.type))
    throw refuse(
      field,
      `${key.type} keys are not accepted (${key.type === 'ssh-dss' ? 'DSA is broken and current OpenSSH refuses it' : 'not every cloud takes them'}); use ${ACCEPTED.join(', ')} (RSA of at least ${MIN_RSA_BITS} bits)`,
    );
  // ssh2 reads the format only: a point off the curve or an empty modulus parses, and is no key at all.
  const bits = (() => {
    try {
      return createPublicKey(key.getPublicPEM()).asymmetricKeyDetails?.modulusLength ?? 0;
    } catch {
      throw refuse(field, `the ${key.type} key is damaged (its numbers make no key); ${HOW}`);
    }
  })();
  if (key.type === 'ssh-rsa' && bits < MIN_RSA_BITS)
    throw refuse(
      field,
      `an RSA key of ${bits} bits is too weak; use at least ${MIN_RSA_BITS} bits (ssh-keygen -t rsa -b 3072), or better ssh-ed25519`,
    );
  return line;
}
