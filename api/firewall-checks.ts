import { actsFor, type Principal } from '../domain/access';
import { isIpv6Cidr } from '../domain/cidr';
import { isProviderError } from '../domain/cloud-errors';
import type { Firewall, FirewallRule } from '../domain/network';
import type { CloudProvider } from '../providers/cloud-provider';
import { canUseShared } from './auth/scope';
import type { CatalogCache } from './catalog-cache';
import { ApiError, notFound } from './errors';

// What a firewall request must get right before the cloud is asked: IPv6 sources only where the cloud takes them,
// and the firewall visible to the caller.

const invalid = (field: string, message: string) => new ApiError(400, 'invalid_request', `${field}: ${message}`);

export async function requireRulesFit(
  catalog: CatalogCache,
  region: string,
  rules: FirewallRule[],
  field: string,
): Promise<void> {
  if ((await catalog.capabilities(region)).ipv6Firewall) return;
  const index = rules.findIndex((rule) => isIpv6Cidr(rule.cidr));
  if (index >= 0)
    throw invalid(
      `${field}.${index}.cidr`,
      `${catalog.providerName} firewalls take IPv4 sources only; give an IPv4 CIDR`,
    );
}

/**
 * The firewall, if the caller may use it (404 otherwise, as if it did not exist). To change it the caller must act
 * for its group: an untagged firewall is the account's, shared by every group, so only an admin changes it.
 */
export async function visibleFirewall(
  provider: CloudProvider,
  principal: Principal,
  region: string,
  id: string,
  intent: 'read' | 'change',
): Promise<Firewall> {
  const [firewall] = await provider.listFirewalls(region, { ids: [id] }).catch((err: unknown) => {
    // A malformed id is, to the caller, a firewall that does not exist.
    if (isProviderError(err) && (err.code === 'NotFound' || err.code === 'InvalidInput')) return [];
    throw err;
  });
  if (!firewall || !canUseShared(principal, firewall.tags.group)) throw notFound(`firewall ${id}`);
  if (intent === 'change' && !actsFor(principal, firewall.tags.group))
    throw new ApiError(
      403,
      'forbidden',
      `firewall ${id} has no group: it is the account's, shared by every group, and only an admin may change it`,
    );
  return firewall;
}
