import type { IpPermission, SecurityGroup } from '@aws-sdk/client-ec2';
import type { Firewall, FirewallProtocol, FirewallRule } from '../../domain/network';

// Our rules and EC2's IpPermissions: one rule per CIDR; protocol "all" is EC2's "-1", which has no ports.
const PROTOCOLS: Record<string, FirewallProtocol> = {
  '-1': 'all',
  tcp: 'tcp',
  '6': 'tcp',
  udp: 'udp',
  '17': 'udp',
  icmp: 'icmp',
  '1': 'icmp',
};

const isIpv6 = (cidr: string): boolean => cidr.includes(':');

export function toIpPermission(rule: FirewallRule): IpPermission {
  const ranges = isIpv6(rule.cidr) ? { Ipv6Ranges: [{ CidrIpv6: rule.cidr }] } : { IpRanges: [{ CidrIp: rule.cidr }] };
  if (rule.protocol === 'all') return { IpProtocol: '-1', ...ranges };
  return { IpProtocol: rule.protocol, FromPort: rule.fromPort, ToPort: rule.toPort, ...ranges };
}

export function toRules(permission: IpPermission): FirewallRule[] {
  const protocol = PROTOCOLS[permission.IpProtocol ?? ''];
  if (!protocol) return []; // protocols we have no word for (gre, esp, ...) stay out of our view
  const cidrs = [
    ...(permission.IpRanges ?? []).map((r) => r.CidrIp),
    ...(permission.Ipv6Ranges ?? []).map((r) => r.CidrIpv6),
  ].filter((cidr): cidr is string => cidr !== undefined);
  const ports =
    protocol === 'all'
      ? { fromPort: 0, toPort: 65535 }
      : { fromPort: permission.FromPort ?? -1, toPort: permission.ToPort ?? -1 };
  return cidrs.map((cidr) => ({ protocol, ...ports, cidr }));
}

/** Two rules with the same key are the same rule to EC2. */
export const ruleKey = (rule: FirewallRule): string =>
  rule.protocol === 'all' ? `all ${rule.cidr}` : `${rule.protocol} ${rule.fromPort}-${rule.toPort} ${rule.cidr}`;

export function toFirewall(group: SecurityGroup, tags: Record<string, string>): Firewall {
  return {
    id: group.GroupId ?? '',
    name: group.GroupName ?? '',
    description: group.Description ?? '',
    rules: (group.IpPermissions ?? []).flatMap(toRules),
    tags,
  };
}
