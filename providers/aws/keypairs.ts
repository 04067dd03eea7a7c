import {
  CreateKeyPairCommand,
  DeleteKeyPairCommand,
  DescribeKeyPairsCommand,
  ImportKeyPairCommand,
} from '@aws-sdk/client-ec2';
import type { CreatedKeypair, Keypair } from '../../domain/network';
import { ProviderError } from '../../domain/cloud-errors';
import { ignoreNotFound, type Ec2Session } from './ec2-session';
import { fromTagList, tagSpecifications } from './tags';

// Key pairs by name. A duplicate name is InvalidKeyPair.Duplicate, which errors.ts makes a Conflict.
export async function createKeypair(
  ec2: Ec2Session,
  region: string,
  name: string,
  tags: Record<string, string> = {},
): Promise<CreatedKeypair> {
  const out = await ec2.call(region, 'CreateKeyPair', (c) =>
    c.send(
      new CreateKeyPairCommand({
        KeyName: name,
        KeyType: 'ed25519',
        TagSpecifications: tagSpecifications(['key-pair'], tags),
      }),
    ),
  );
  if (!out.KeyMaterial)
    throw new ProviderError('Unavailable', `EC2 CreateKeyPair in ${region} returned no private key for ${name}`);
  return {
    name,
    fingerprint: out.KeyFingerprint ?? '',
    tags: { ...tags, ...fromTagList(out.Tags) },
    privateKeyPem: out.KeyMaterial,
  };
}

export async function importKeypair(
  ec2: Ec2Session,
  region: string,
  name: string,
  publicKey: string,
  tags: Record<string, string> = {},
): Promise<Keypair> {
  const out = await ec2.call(region, 'ImportKeyPair', (c) =>
    c.send(
      new ImportKeyPairCommand({
        KeyName: name,
        PublicKeyMaterial: new TextEncoder().encode(publicKey.trim()),
        TagSpecifications: tagSpecifications(['key-pair'], tags),
      }),
    ),
  );
  return { name, fingerprint: out.KeyFingerprint ?? '', tags: { ...tags, ...fromTagList(out.Tags) } };
}

export async function listKeypairs(ec2: Ec2Session, region: string): Promise<Keypair[]> {
  // DescribeKeyPairs has no paging: it answers with every key pair at once.
  const out = await ec2.call(region, 'DescribeKeyPairs', (c) => c.send(new DescribeKeyPairsCommand({})));
  return (out.KeyPairs ?? []).map((k) => ({
    name: k.KeyName ?? '',
    fingerprint: k.KeyFingerprint ?? '',
    tags: fromTagList(k.Tags),
  }));
}

export async function deleteKeypair(ec2: Ec2Session, region: string, name: string): Promise<void> {
  await ignoreNotFound(() =>
    ec2.call(region, 'DeleteKeyPair', (c) => c.send(new DeleteKeyPairCommand({ KeyName: name }))),
  );
}
