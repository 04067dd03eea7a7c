import { readFileSync } from 'node:fs';
// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../../worker/worker';

// Launches in flight when a new worker is deployed replay their histories on the new code: a change to what a
// workflow does must not break them. Each file here is the history of a launch run by an earlier version.
const history = (name: string) => proto.temporal.api.history.v1.History.decode(readFileSync(new URL(`./histories/${name}`, import.meta.url)));

describe('histories from earlier versions replay on the current workflows', () => {
  it('a full launch (key pair, firewall, 4 disks raid10 LUKS) from before the LaunchStep attribute moved by phase', async () => {
    const before = history('launch-before-phases.pb');
    const upserts = before.events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).length;
    expect(upserts).toBe(12); // one per step and one for ServerId: the old behaviour, which the replay must reproduce
    await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, before, 'launch-before-phases');
  }, 60_000);
});
