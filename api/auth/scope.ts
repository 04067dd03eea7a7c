import { actsFor, type Principal } from '../../domain/access';
import { isProviderError } from '../../domain/cloud-errors';
import { ApiError, notFound } from '../errors';

// Groups scope what a principal sees: outside them a thing answers 404, as if it did not exist, so existence does not leak.

/** For reads and changes of something that exists: its group, from its tags or search attributes. */
export function requireVisible(principal: Principal, group: string | undefined, what: string): void {
  if (!actsFor(principal, group)) throw notFound(what);
}

/** The cloud's "no such thing" in the same words as a thing hidden by group, so that the two cannot be told apart. */
export function orNotFound(what: string): (err: unknown) => never {
  return (err) => {
    throw isProviderError(err) && err.code === 'NotFound' ? notFound(what) : err;
  };
}

/**
 * Firewalls and key pairs: those a launch made carry its group and are that group's; untagged ones (the account's
 * own, made outside this service) are shared by everyone who may launch.
 */
export const canUseShared = (principal: Principal, group: string | undefined): boolean =>
  group === undefined || actsFor(principal, group);

/** For requests that name the group to act for (a launch, a clone): the caller already knows the group, so 403 says why. */
export function requireActsFor(principal: Principal, group: string, field: string): void {
  if (actsFor(principal, group)) return;
  const groups =
    principal.groups === 'all' ? 'every group' : principal.groups.length ? principal.groups.join(', ') : 'no group';
  throw new ApiError(
    403,
    'forbidden',
    `${field}: ${principal.name} does not act for group "${group}"; it acts for ${groups}`,
  );
}

/** The groups to restrict a listing to; undefined means every group. */
export const visibleGroups = (principal: Principal): readonly string[] | undefined =>
  principal.groups === 'all' ? undefined : principal.groups;
