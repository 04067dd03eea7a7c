import type { FirewallRule } from '../types';
import { PROTOCOLS, type RuleRow } from './launch-form';

// Rules as the firewall forms type them (ports as text) and as the API takes them; and one rule in words.

export { PROTOCOLS, type RuleRow };

export const newRule = (): RuleRow => ({ protocol: 'tcp', fromPort: '22', toPort: '22', cidr: '' });

/** Numbers as typed: the API checks them and names the field of any that is wrong. */
export const ruleOf = (row: RuleRow): FirewallRule => ({
  protocol: row.protocol,
  fromPort: row.fromPort.trim() === '' ? Number.NaN : Number(row.fromPort),
  toPort: row.toPort.trim() === '' ? Number.NaN : Number(row.toPort),
  cidr: row.cidr.trim(),
});

/** "tcp 22 from 203.0.113.0/24", "udp 1000-2000 from ::/0", "all from 10.0.0.0/8". */
export function ruleText(rule: FirewallRule): string {
  if (rule.protocol === 'all') return `all from ${rule.cidr}`;
  const ports = rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
  return `${rule.protocol} ${ports} from ${rule.cidr}`;
}
