import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RevokedSession } from '../../domain/console-sessions';
import { consoleSessions, revokeSessionSignal, revokedSessionsQuery } from '../../workflows/console-sessions';
import { startTestWorker } from '../support/temporal';

// The sign-outs every API replica reads: kept until each session's own expiry, carried over by continue-as-new.
describe('consoleSessions workflow', () => {
  let env: Awaited<ReturnType<typeof startTestWorker>>;
  beforeAll(async () => {
    env = await startTestWorker();
  });
  afterAll(async () => env?.stop());

  const revoke = (workflowId: string, session: RevokedSession, maxHistoryEvents?: number) =>
    env.client.workflow.signalWithStart(consoleSessions, {
      workflowId,
      taskQueue: env.config.TEMPORAL_TASK_QUEUE,
      args: [{ revoked: [], ...(maxHistoryEvents ? { maxHistoryEvents } : {}) }],
      signal: revokeSessionSignal,
      signalArgs: [session],
    });
  const revokedIds = async (workflowId: string) =>
    (await env.client.workflow.getHandle(workflowId).query(revokedSessionsQuery)).map((s) => s.sessionId).sort();

  it('forgets each sign-out at its session’s expiry, and ends when none is left', async () => {
    const workflowId = `console-sessions-${randomUUID()}`;
    const handle = await revoke(workflowId, { sessionId: 'short', expiresAt: Date.now() + 1_500 });
    await revoke(workflowId, { sessionId: 'long', expiresAt: Date.now() + 4_000 });
    expect(await revokedIds(workflowId)).toEqual(['long', 'short']);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await revokedIds(workflowId)).toEqual(['long']);
    await handle.result(); // nothing left to remember at the last expiry
    expect((await handle.describe()).status.name).toBe('COMPLETED');

    // The next sign-out starts it again.
    const again = await revoke(workflowId, { sessionId: 'later', expiresAt: Date.now() + 60_000 });
    expect(again.signaledRunId).not.toBe(handle.signaledRunId);
    expect(await revokedIds(workflowId)).toEqual(['later']);
    await again.terminate('test over');
  });

  it('continues as new when its history grows large, carrying the sign-outs still in force', async () => {
    const workflowId = `console-sessions-${randomUUID()}`;
    const expiresAt = Date.now() + 60_000;
    const first = await revoke(workflowId, { sessionId: 's-0', expiresAt }, 20);
    const firstRun = () => env.client.workflow.getHandle(workflowId, first.signaledRunId).describe();
    // Signals that arrive together share a workflow task, so how many it takes to pass 20 events varies with the
    // machine's load: sign out until the first run has continued as new (a bounded loop). Each sign-out waits for a
    // query, which the worker answers only once it has handled the signal: on a loaded machine a worker that lags
    // would otherwise let dozens of signals pile up in the history before its first task.
    const sent = ['s-0'];
    await revokedIds(workflowId);
    while ((await firstRun()).status.name === 'RUNNING' && sent.length < 60) {
      sent.push(`s-${sent.length}`);
      await revoke(workflowId, { sessionId: sent.at(-1)!, expiresAt }, 20);
      await revokedIds(workflowId);
    }
    await expect.poll(async () => (await firstRun()).status.name, { timeout: 30_000 }).toBe('CONTINUED_AS_NEW');
    expect((await firstRun()).historyLength).toBeLessThan(40);
    await expect.poll(() => revokedIds(workflowId)).toEqual([...sent].sort());
    await env.client.workflow.getHandle(workflowId).terminate('test over');
  });
});
