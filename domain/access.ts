import { z } from 'zod';

// Who may do what: a principal (the holder of an API key) has one role and acts for some groups.

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a route needs. `read`: any role; `operate`: launch, capture, clone, rename, cancel, terminate (operator, admin);
 * `admin`: forced deletion, families, the payload codec. `public`: no key at all (health, readiness, docs).
 */
export const ACCESS_LEVELS = ['public', 'read', 'operate', 'admin'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

/** `*` in a key's groups: every group. Admins always act for every group. */
export const ALL_GROUPS = '*';

export const GroupNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
    'use 1 to 64 letters, digits, dots, hyphens and underscores, starting with a letter or digit',
  );

export interface Principal {
  /** Who holds the key: a person or a system, as named in the keys file. */
  name: string;
  role: Role;
  /** The groups it acts for, or every group. */
  groups: readonly string[] | 'all';
  /** Identifies the key (not the secret): for rate limits and logs. */
  keyId: string;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
const NEEDS: Record<Exclude<Access, 'public'>, Role> = { read: 'viewer', operate: 'operator', admin: 'admin' };

export function allows(role: Role, access: Access): boolean {
  return access === 'public' || RANK[role] >= RANK[NEEDS[access]];
}

/** Whether the principal acts for a group; a resource with no group (made outside this service) is an admin's only. */
export function actsFor(principal: Principal, group: string | undefined): boolean {
  if (principal.groups === 'all') return true;
  return group !== undefined && principal.groups.includes(group);
}

export function groupsOf(role: Role, groups: readonly string[]): Principal['groups'] {
  return role === 'admin' || groups.includes(ALL_GROUPS) ? 'all' : groups;
}
