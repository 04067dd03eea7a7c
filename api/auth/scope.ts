import { actsFor, type Principal } from '../../domain/access';
import { ApiError, notFound } from '../errors';

// Groups scope what a principal sees: outside them a thing answers 404, as if it did not exist, so existence does not leak.

/** For reads and changes of something that exists: its group, from its tags or search attributes. */
export function requireVisible(principal: Principal, group: string | undefined, what: string): void {
  if (!actsFor(principal, group)) throw notFound(what);
}

/** For requests that name the group to act for (a launch, a clone): the caller already knows the group, so 403 says why. */
export function requireActsFor(principal: Principal, group: string, field: string): void {
  if (actsFor(principal, group)) return;
  const groups = principal.groups === 'all' ? 'every group' : principal.groups.length ? principal.groups.join(', ') : 'no group';
  throw new ApiError(403, 'forbidden', `${field}: ${principal.name} does not act for group "${group}"; it acts for ${groups}`);
}

/** The groups to restrict a listing to; undefined means every group. */
export const visibleGroups = (principal: Principal): readonly string[] | undefined => (principal.groups === 'all' ? undefined : principal.groups);
