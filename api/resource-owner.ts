import { actsFor, type Principal } from '../domain/access';
import type { Server } from '../domain/server';
import type { CloudProvider } from '../providers/cloud-provider';
import { requireActsFor } from './auth/scope';
import { ApiError } from './errors';

// Key pairs and firewalls made through the API belong to a group, and neither goes while a server still uses it.

/**
 * The group a new key pair or firewall is for: the one named (which the caller must act for), else the caller's
 * only group. Undefined (an admin naming none) makes it the account's, shared by every group, as those made
 * outside the service are.
 */
export function ownerGroup(principal: Principal, requested: string | undefined, noun: string): string | undefined {
  if (requested) {
    requireActsFor(principal, requested, 'body.group');
    return requested;
  }
  if (principal.groups === 'all') return undefined;
  if (principal.groups.length === 1) return principal.groups[0];
  throw new ApiError(
    400,
    'invalid_request',
    `body.group: name the group the ${noun} is for; ${principal.name} acts for ${principal.groups.join(', ') || 'no group'}`,
  );
}

/**
 * 409 while live servers use the resource: those the caller may see by id, name and state, the others only counted,
 * so another group's servers are not disclosed.
 */
export async function requireNoServerUses(
  provider: CloudProvider,
  principal: Principal,
  region: string,
  uses: (server: Server) => boolean,
  resource: { subject: string; noun: string },
): Promise<void> {
  const users = (await provider.listServers(region)).filter((s) => s.state !== 'terminated' && uses(s));
  if (!users.length) return;
  const seen = users.filter((s) => actsFor(principal, s.tags.group));
  const hidden = users.length - seen.length;
  const named = seen.map((s) => `${s.id} (${s.name}, ${s.state})`);
  if (hidden) named.push(`${hidden} server${hidden === 1 ? '' : 's'} of other groups`);
  throw new ApiError(
    409,
    'conflict',
    `${resource.subject} is used by ${named.join(', ')}; terminate ${users.length === 1 ? 'it' : 'them'} first, then delete the ${resource.noun}`,
  );
}
