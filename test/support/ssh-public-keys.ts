import { generateKeyPairSync } from 'node:crypto';
import ssh2 from 'ssh2';

// OpenSSH public key lines for import tests, made on the spot (no ssh-keygen needed).

const sshString = (data: Buffer | string) => {
  const bytes = Buffer.from(data);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
};

export function ed25519PublicKey(comment = 'test@example'): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return `ssh-ed25519 ${Buffer.concat([sshString('ssh-ed25519'), sshString(raw)]).toString('base64')} ${comment}`;
}

export function rsaPublicKey(bits: number, comment = 'test@example'): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const parsed = ssh2.utils.parseKey(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  return `ssh-rsa ${key.getPublicSSH().toString('base64')} ${comment}`;
}

/** A 1024-bit DSA key made once with ssh-keygen -t dsa (which current OpenSSH no longer makes). */
export const DSA_PUBLIC_KEY =
  'ssh-dss AAAAB3NzaC1kc3MAAACBAPc3tvcB7xLmhpCcGfw1Jid+JeHJ9KUK430OhVdhkoDQPwDgRoGNHi0nAS5kzmMa2etony3Ln8nLTKKGKETDJtFBWYlJ3eFrFBN5Fo/XPNudur88EOPS7Tlmet5ERb0uZl+qk0UiC35QICR/zDwZZzcStngQGrh3vKnSVMunU3qXAAAAFQD58oIb3lkWGLlUsbBo8MX5xuddGwAAAIEAreZ3AptAxHh6l9a2XYGa17zaAanUsNetlORcZRhej7sWhQEdfELtiHhyJiQJxOkHQHR8dNdYs4nEuIVtwieSx7LOg2ukHc/qb1Z6CHcUyBjcRvAYXUr/R7W4a/J2IMkbFEnTbY/54/JJZEgYMoLObWBt9LFp0QLOHxlpt8xqLU4AAACBAPVnsDRtEMKec+VQKiFgaG+QOwLOSsq0t7d+Cn3Wd/y/OBaDn1BgjYiuGD6FFKrmkedp9E2+r4rWTEpedJ26fRjPovajwcHxhcmq6WQP3vJTujPqYb/I7YKYLlQnwhXgN9YYM2x6x+vvvwAd2eoFhPu3/iK5wuRJEUpd85FY9l2E test@example';
