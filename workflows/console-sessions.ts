import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  MAX_REVOKED_SESSIONS,
  REVOKED_SESSIONS_QUERY,
  REVOKE_SESSION_SIGNAL,
  type ConsoleSessionsInput,
  type RevokedSession,
} from '../domain/console-sessions';
import { autoUpgradeWhenVersioned } from './versioning';

export const revokeSessionSignal = defineSignal<[RevokedSession]>(REVOKE_SESSION_SIGNAL);
export const revokedSessionsQuery = defineQuery<RevokedSession[]>(REVOKED_SESSIONS_QUERY);

/** A sign-out adds four events (the signal and its workflow task): about 500 sign-outs per run. */
const MAX_HISTORY_EVENTS = 2_000;

/**
 * The console sessions signed out before their expiry, for every API replica: a sign-out signals it (with
 * signal-with-start), each replica queries it every few seconds. It forgets each session at its expiry, continues as
 * new before its history grows large, and ends when it has nothing left to remember (the next sign-out starts it).
 */
export async function consoleSessions(input: ConsoleSessionsInput = { revoked: [] }): Promise<void> {
  const revoked = new Map(input.revoked.map((session) => [session.sessionId, session.expiresAt]));
  const forgetExpired = () => {
    for (const [sessionId, expiresAt] of revoked) if (expiresAt <= Date.now()) revoked.delete(sessionId);
  };
  const live = (): RevokedSession[] =>
    [...revoked]
      .filter(([, expiresAt]) => expiresAt > Date.now())
      .map(([sessionId, expiresAt]) => ({ sessionId, expiresAt }));

  setHandler(revokeSessionSignal, ({ sessionId, expiresAt }) => {
    forgetExpired();
    if (expiresAt <= Date.now()) return;
    revoked.set(sessionId, expiresAt);
    // Past the bound, the sign-outs that would expire soonest go first (a Map keeps no order by expiry).
    while (revoked.size > MAX_REVOKED_SESSIONS) {
      const soonest = [...revoked].reduce((a, b) => (b[1] < a[1] ? b : a));
      revoked.delete(soonest[0]);
    }
  });
  setHandler(revokedSessionsQuery, live);

  const maxHistoryEvents = input.maxHistoryEvents ?? MAX_HISTORY_EVENTS;
  const historyLarge = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= maxHistoryEvents;
  while (!historyLarge()) {
    forgetExpired();
    const lastExpiry = Math.max(0, ...revoked.values());
    if (lastExpiry <= Date.now()) break;
    // Wakes at the last expiry, or earlier when the history has grown large; a sign-out meanwhile only adds to the map.
    await condition(historyLarge, lastExpiry - Date.now());
  }
  await condition(allHandlersFinished);
  if (historyLarge()) await continueAsNew<typeof consoleSessions>({ ...input, revoked: live() });
}

autoUpgradeWhenVersioned(consoleSessions);
