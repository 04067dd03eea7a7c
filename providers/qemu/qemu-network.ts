import { createHash, generateKeyPairSync } from 'node:crypto';
// ssh2 is CommonJS: Node's ESM loader sees only its default export.
import ssh2 from 'ssh2';
import type { CreatedKeypair, Firewall, FirewallRule, Keypair } from '../../domain/network';
import type { CreateFirewallInput } from '../cloud-provider';
import { ProviderError } from '../../domain/cloud-errors';
import { requireName } from '../local/naming';
import {
  authorizeStored,
  listStoredFirewalls,
  refuseIpv6,
  revokeStored,
  storeFirewall,
} from '../local/firewall-records';
import { colonHex, openSshPublicKey } from '../local/keys';
import { newId, requireRegion, type QemuContext } from './context';

// Key pairs and firewalls of the local cloud. A key pair keeps its public key, which reaches a server through
// cloud-init's NoCloud meta-data; a firewall's TCP rules become the server's port forwards (sources are not
// enforced: every forward listens on 127.0.0.1 only).

export interface KeypairDoc extends Keypair {
  publicKey: string;
}

const keypairId = (region: string, name: string) => `${region}/${name}`;

function storeKeypair(ctx: QemuContext, region: string, doc: KeypairDoc): void {
  ctx.store.transaction(() => {
    if (ctx.store.get('keypair', keypairId(region, doc.name)))
      throw new ProviderError('Conflict', `a key pair named "${doc.name}" already exists in ${region}`);
    ctx.store.put({ id: keypairId(region, doc.name), kind: 'keypair', region, clientToken: null, doc });
  });
}

export function createKeypair(
  ctx: QemuContext,
  region: string,
  name: string,
  tags: Record<string, string> = {},
): CreatedKeypair {
  requireRegion(region);
  requireName('keypair', name);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const parsed = ssh2.utils.parseKey(privateKeyPem);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  const publicKey = `${key.type} ${key.getPublicSSH().toString('base64')} ${name}`;
  const fingerprint = colonHex(
    createHash('sha1')
      .update(privateKey.export({ type: 'pkcs8', format: 'der' }))
      .digest(),
  );
  storeKeypair(ctx, region, { name, fingerprint, tags, publicKey });
  return { name, fingerprint, tags, privateKeyPem };
}

export function importKeypair(
  ctx: QemuContext,
  region: string,
  name: string,
  publicKey: string,
  tags: Record<string, string> = {},
): Keypair {
  requireRegion(region);
  requireName('keypair', name);
  const { type, body, blob } = openSshPublicKey(publicKey);
  const fingerprint = colonHex(createHash('md5').update(blob).digest());
  storeKeypair(ctx, region, { name, fingerprint, tags, publicKey: `${type} ${body}` });
  return { name, fingerprint, tags };
}

export function findKeypair(ctx: QemuContext, region: string, name: string): KeypairDoc | undefined {
  return ctx.store.get<KeypairDoc>('keypair', keypairId(region, name))?.doc;
}

export function listKeypairs(ctx: QemuContext, region: string): Keypair[] {
  requireRegion(region);
  return ctx.store.list<KeypairDoc>('keypair', region).map(({ doc: { publicKey: _publicKey, ...keypair } }) => keypair);
}

export function deleteKeypair(ctx: QemuContext, region: string, name: string): void {
  requireRegion(region);
  ctx.store.delete('keypair', keypairId(region, name));
}

const IPV4_ONLY = 'the qemu cloud forwards IPv4 ports on the loopback only; give an IPv4 CIDR';

export function createFirewall(ctx: QemuContext, region: string, input: CreateFirewallInput): Firewall {
  requireRegion(region);
  requireName('firewall', input.name);
  refuseIpv6(input.rules, IPV4_ONLY);
  return storeFirewall(ctx.store, region, newId('sg'), input);
}

export function authorize(ctx: QemuContext, region: string, firewallId: string, rules: FirewallRule[]): Firewall {
  requireRegion(region);
  refuseIpv6(rules, IPV4_ONLY);
  return authorizeStored(ctx.store, region, firewallId, rules);
}

export function revoke(ctx: QemuContext, region: string, firewallId: string, rules: FirewallRule[]): Firewall {
  requireRegion(region);
  refuseIpv6(rules, IPV4_ONLY);
  return revokeStored(ctx.store, region, firewallId, rules);
}

export function listFirewalls(
  ctx: QemuContext,
  region: string,
  filter: { ids?: string[]; tag?: { key: string; value?: string } } = {},
): Firewall[] {
  requireRegion(region);
  return listStoredFirewalls(ctx.store, region, filter);
}

/** Removes a firewall; `inUse` names a server still using it (the caller knows servers' states). */
export function deleteFirewall(
  ctx: QemuContext,
  region: string,
  firewallId: string,
  inUse: (firewallId: string) => string | undefined,
): void {
  requireRegion(region);
  ctx.store.transaction(() => {
    const stored = ctx.store.get<Firewall>('firewall', firewallId);
    if (!stored || stored.region !== region) return;
    const user = inUse(firewallId);
    if (user)
      throw new ProviderError('Conflict', `firewall ${firewallId} is in use by server ${user}; terminate it first`);
    ctx.store.delete('firewall', firewallId);
  });
}

/** The guest TCP ports a server's firewalls open, 22 first; ranges wider than 16 ports are not forwarded. */
export function forwardedPorts(firewalls: Firewall[]): number[] {
  const ports = new Set<number>([22]);
  for (const rule of firewalls.flatMap((f) => f.rules)) {
    if (rule.protocol !== 'tcp' && rule.protocol !== 'all') continue;
    if (rule.protocol === 'all' || rule.toPort - rule.fromPort >= 16) continue;
    for (let port = rule.fromPort; port <= rule.toPort; port++) if (port > 0) ports.add(port);
  }
  return [...ports].slice(0, 32);
}
