import { actsFor, type Principal } from '../domain/access';
import type { CloudProvider } from '../providers/cloud-provider';
import { requireActsFor } from './auth/scope';
import { ApiError } from './errors';

/**
 * The group a new key pair is for: the one named (which the caller must act for), else the caller's only group.
 * Undefined (an admin naming none) makes it the account's, shared by every group, as key pairs made outside the service are.
 */
export function keypairGroup(principal: Principal, requested: string | undefined): string | undefined {
  if (requested) {
    requireActsFor(principal, requested, 'body.group');
    return requested;
  }
  if (principal.groups === 'all') return undefined;
  if (principal.groups.length === 1) return principal.groups[0];
  throw new ApiError(
    400,
    'invalid_request',
    `body.group: name the group the key pair is for; ${principal.name} acts for ${principal.groups.join(', ') || 'no group'}`,
  );
}

/**
 * 409 while live servers use the key pair: those the caller may see by id and name, the others only counted, so
 * another group's servers are not disclosed.
 */
export async function requireUnusedKeypair(
  provider: CloudProvider,
  principal: Principal,
  region: string,
  name: string,
): Promise<void> {
  const users = (await provider.listServers(region)).filter((s) => s.state !== 'terminated' && s.keypairName === name);
  if (!users.length) return;
  const seen = users.filter((s) => actsFor(principal, s.tags.group));
  const hidden = users.length - seen.length;
  const named = seen.map((s) => `${s.id} (${s.name}, ${s.state})`);
  if (hidden) named.push(`${hidden} server${hidden === 1 ? '' : 's'} of other groups`);
  throw new ApiError(
    409,
    'conflict',
    `key pair "${name}" in ${region} is used by ${named.join(', ')}; terminate ${users.length === 1 ? 'it' : 'them'} first, then delete the key pair`,
  );
}
