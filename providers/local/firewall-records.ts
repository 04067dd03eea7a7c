import { isIpv6Cidr } from '../../domain/cidr';
import type { Firewall, FirewallRule } from '../../domain/network';
import type { CreateFirewallInput } from '../cloud-provider';
import { ProviderError } from '../../domain/cloud-errors';
import { hasTag } from './tags';
import type { RecordStore } from './record-store';

// Firewalls as records in the store, for the clouds that keep them there (sim, qemu): names unique per region,
// rules validated and kept once each. The caller checks the region and the name's shape first.

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function validRules(rules: FirewallRule[]): FirewallRule[] {
  for (const rule of rules) {
    const cidr = CIDR.exec(rule.cidr);
    const ipv4 = cidr && !cidr.slice(1, 5).some((octet) => Number(octet) > 255) && Number(cidr[5]) <= 32;
    if (!ipv4 && !isIpv6Cidr(rule.cidr)) {
      throw new ProviderError(
        'InvalidInput',
        `rule CIDR "${rule.cidr}" is not an IPv4 CIDR such as 203.0.113.0/24 or an IPv6 one such as 2001:db8::/32`,
      );
    }
    const portsMatter = rule.protocol === 'tcp' || rule.protocol === 'udp';
    if (portsMatter && !(rule.fromPort >= 0 && rule.toPort <= 65535 && rule.fromPort <= rule.toPort)) {
      throw new ProviderError(
        'InvalidInput',
        `rule ports ${rule.fromPort}-${rule.toPort} are not a range within 0-65535`,
      );
    }
  }
  return rules;
}

export const sameRule = (a: FirewallRule, b: FirewallRule) =>
  a.protocol === b.protocol && a.fromPort === b.fromPort && a.toPort === b.toPort && a.cidr === b.cidr;

export function storeFirewall(store: RecordStore, region: string, id: string, input: CreateFirewallInput): Firewall {
  const rules = validRules(input.rules).filter((rule, i, all) => all.findIndex((other) => sameRule(rule, other)) === i);
  return store.transaction(() => {
    if (store.list<Firewall>('firewall', region).some((s) => s.doc.name === input.name)) {
      throw new ProviderError('Conflict', `a firewall named "${input.name}" already exists in ${region}`);
    }
    const firewall: Firewall = { id, name: input.name, description: input.description, rules, tags: input.tags ?? {} };
    store.put({ id, kind: 'firewall', region, clientToken: null, doc: firewall });
    return firewall;
  });
}

export function authorizeStored(
  store: RecordStore,
  region: string,
  firewallId: string,
  rules: FirewallRule[],
): Firewall {
  validRules(rules);
  return store.transaction(() => {
    const stored = store.get<Firewall>('firewall', firewallId);
    if (!stored || stored.region !== region)
      throw new ProviderError('NotFound', `firewall ${firewallId} does not exist`);
    const firewall = stored.doc;
    for (const rule of rules)
      if (!firewall.rules.some((existing) => sameRule(existing, rule))) firewall.rules.push(rule);
    store.put({ ...stored, doc: firewall });
    return firewall;
  });
}

/** Removes rules; one the firewall lacks is left out, as EC2 would not remove what is not there. */
export function revokeStored(store: RecordStore, region: string, firewallId: string, rules: FirewallRule[]): Firewall {
  validRules(rules);
  return store.transaction(() => {
    const stored = store.get<Firewall>('firewall', firewallId);
    if (!stored || stored.region !== region)
      throw new ProviderError('NotFound', `firewall ${firewallId} does not exist`);
    const firewall = { ...stored.doc, rules: stored.doc.rules.filter((rule) => !rules.some((r) => sameRule(r, rule))) };
    store.put({ ...stored, doc: firewall });
    return firewall;
  });
}

/** For a cloud whose firewalls take IPv4 sources only: an IPv6 rule is refused, not silently dropped. */
export function refuseIpv6(rules: FirewallRule[], why: string): void {
  const ipv6 = rules.find((rule) => isIpv6Cidr(rule.cidr));
  if (ipv6) throw new ProviderError('Unsupported', `rule source ${ipv6.cidr} is IPv6; ${why}`);
}

export function listStoredFirewalls(
  store: RecordStore,
  region: string,
  filter: { ids?: string[]; tag?: { key: string; value?: string } } = {},
): Firewall[] {
  return store
    .list<Firewall>('firewall', region, filter.tag ? { tag: filter.tag } : {})
    .map((s) => s.doc)
    .filter((f) => (!filter.ids || filter.ids.includes(f.id)) && hasTag(f.tags, filter.tag));
}
