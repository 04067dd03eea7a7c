import { createHash, generateKeyPairSync } from 'node:crypto';
import type { CreatedKeypair, Firewall, FirewallRule, Keypair } from '../../domain/network';
import type { CreateFirewallInput } from '../cloud-provider';
import { ProviderError } from '../../domain/cloud-errors';
import { colonHex, openSshPublicKey } from '../local/keys';
import { newId, requireRegion, type SimContext } from './context';
import { authorizeStored, listStoredFirewalls, revokeStored, storeFirewall } from '../local/firewall-records';
import { requireName } from '../local/naming';
import { serverView, type ServerDoc } from './sim-servers';

// Key pairs and firewalls of the simulated cloud. Key pairs are stored by `<region>/<name>`: names are unique per region.
const keypairId = (region: string, name: string) => `${region}/${name}`;

export function createKeypair(
  ctx: SimContext,
  region: string,
  name: string,
  tags: Record<string, string> = {},
): CreatedKeypair {
  ctx.faults.check('createKeypair');
  requireRegion(region);
  requireName('keypair', name);
  // RSA PEM, as EC2 hands out: every SSH client reads it.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const fingerprint = colonHex(
    createHash('sha1')
      .update(privateKey.export({ type: 'pkcs8', format: 'der' }))
      .digest(),
  );
  const keypair: Keypair = { name, fingerprint, tags };
  ctx.store.transaction(() => {
    if (ctx.store.get('keypair', keypairId(region, name)))
      throw new ProviderError('Conflict', `a key pair named "${name}" already exists in ${region}`);
    ctx.store.put({ id: keypairId(region, name), kind: 'keypair', region, clientToken: null, doc: keypair });
  });
  return { ...keypair, privateKeyPem };
}

export function importKeypair(
  ctx: SimContext,
  region: string,
  name: string,
  publicKey: string,
  tags: Record<string, string> = {},
): Keypair {
  ctx.faults.check('importKeypair');
  requireRegion(region);
  requireName('keypair', name);
  const { blob } = openSshPublicKey(publicKey);
  const keypair: Keypair = { name, fingerprint: colonHex(createHash('md5').update(blob).digest()), tags };
  ctx.store.transaction(() => {
    if (ctx.store.get('keypair', keypairId(region, name)))
      throw new ProviderError('Conflict', `a key pair named "${name}" already exists in ${region}`);
    ctx.store.put({ id: keypairId(region, name), kind: 'keypair', region, clientToken: null, doc: keypair });
  });
  return keypair;
}

export function listKeypairs(ctx: SimContext, region: string): Keypair[] {
  requireRegion(region);
  return ctx.store.list<Keypair>('keypair', region).map((s) => s.doc);
}

export function deleteKeypair(ctx: SimContext, region: string, name: string): void {
  ctx.faults.check('deleteKeypair');
  ctx.store.delete('keypair', keypairId(requireRegion(region), name));
}

export function createFirewall(ctx: SimContext, region: string, input: CreateFirewallInput): Firewall {
  ctx.faults.check('createFirewall');
  requireRegion(region);
  requireName('firewall', input.name);
  return storeFirewall(ctx.store, region, newId('sg'), input);
}

export function authorize(ctx: SimContext, region: string, firewallId: string, rules: FirewallRule[]): Firewall {
  ctx.faults.check('authorize');
  return authorizeStored(ctx.store, region, firewallId, rules);
}

export function revoke(ctx: SimContext, region: string, firewallId: string, rules: FirewallRule[]): Firewall {
  ctx.faults.check('revoke');
  requireRegion(region);
  return revokeStored(ctx.store, region, firewallId, rules);
}

export function listFirewalls(
  ctx: SimContext,
  region: string,
  filter: { ids?: string[]; tag?: { key: string; value?: string } } = {},
): Firewall[] {
  requireRegion(region);
  return listStoredFirewalls(ctx.store, region, filter);
}

export function deleteFirewall(ctx: SimContext, region: string, firewallId: string): void {
  ctx.faults.check('deleteFirewall');
  ctx.store.transaction(() => {
    const stored = ctx.store.get<Firewall>('firewall', firewallId);
    if (!stored || stored.region !== region) return;
    const user = ctx.store
      .list<ServerDoc>('server', region)
      .find((s) => s.doc.firewallIds.includes(firewallId) && serverView(ctx, s.doc).state !== 'terminated');
    if (user)
      throw new ProviderError('Conflict', `firewall ${firewallId} is in use by server ${user.id}; terminate it first`);
    ctx.store.delete('firewall', firewallId);
  });
}
