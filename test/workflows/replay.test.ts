import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../config/paths';
import { WORKFLOWS_PATH } from '../../worker/worker';
import { testPayloadCodecs } from '../support/temporal';
import { RECORDED, RECORDED_IDS_FILE } from './recorded-histories';

// Launches in flight when a new worker is deployed replay their histories on the new code: a change to what a
// workflow does must not break them. Each file here is the history of a launch run by an earlier version.
const history = (name: string) =>
  proto.temporal.api.history.v1.History.decode(readFileSync(new URL(`./histories/${name}`, import.meta.url)));

describe('histories from earlier versions replay on the current workflows', () => {
  it('a full launch (key pair, firewall, 4 disks raid10 LUKS) from before the LaunchStep attribute moved by phase', async () => {
    const before = history('launch-before-phases.pb');
    const upserts = before.events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).length;
    expect(upserts).toBe(12); // one per step and one for ServerId: the old behaviour, which the replay must reproduce
    await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, before, 'launch-before-phases');
  }, 60_000);

  // Recorded with the test payload codec's fixed key (test/support/temporal.ts), as every test client writes.
  const sealed = { workflowsPath: WORKFLOWS_PATH, dataConverter: { payloadCodecs: testPayloadCodecs() } };
  /** Patch markers: one per patch the run went through. */
  const markers = (name: string) =>
    history(name).events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch').length;

  it('a full launch under one deadline from provisioning to ready (a timer beside the steps)', async () => {
    const launch = history('launch-ready-deadline.pb');
    expect(
      launch.events.some((e) => e.timerStartedEventAttributes),
      'the deadline is a timer',
    ).toBe(true);
    expect(markers('launch-ready-deadline.pb'), 'launch-step-phases and launch-ready-deadline').toBe(2);
    await Worker.runReplayHistory(sealed, launch, 'launch-ready-deadline');
  }, 60_000);

  it('a full launch from before readiness waits: checkReady checked once a try, polled by its retry policy', async () => {
    const launch = history('launch-before-ready-waits.pb');
    const ready = launch.events.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'checkReady',
    )?.activityTaskScheduledEventAttributes;
    // The old shape: no heartbeat, a minute a try. The new one schedules the same type with a heartbeat timeout,
    // which replay does not compare, so launches waiting when the new worker comes finish on it.
    expect(Number(ready?.heartbeatTimeout?.seconds ?? 0)).toBe(0);
    expect(Number(ready?.startToCloseTimeout?.seconds)).toBe(60);
    await Worker.runReplayHistory(sealed, launch, 'launch-before-ready-waits');
  }, 60_000);

  it('a termination that also removed the key pair and firewall its launch made', async () => {
    expect(markers('terminate-releases-access.pb'), 'terminate-releases-access').toBe(1);
    await Worker.runReplayHistory(sealed, history('terminate-releases-access.pb'), 'terminate-releases-access');
  }, 60_000);

  // One of each workflow type on the code as it is (npm run histories:record): any change that breaks replay of
  // what is running in production today fails here, until it is put behind patched().
  it('one recorded history of every workflow type, and of every way a launch ends', async () => {
    const ids = JSON.parse(
      readFileSync(new URL(`./histories/${RECORDED_IDS_FILE}`, import.meta.url), 'utf8'),
    ) as Record<string, string>;
    const histories = RECORDED.map((recorded) => ({
      workflowId: ids[recorded.name]!,
      history: history(recorded.file),
    }));
    for (const [i, { history: events }] of histories.entries()) {
      expect(events.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name, RECORDED[i]!.file).toBe(
        RECORDED[i]!.workflowType,
      );
    }
    const activities = (name: string) =>
      history(`current-${name}.pb`)
        .events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
        .filter(Boolean);
    expect(activities('refresh-retires'), 'the second refresh retires the first version').toContain('retireVersion');
    expect(activities('launch-failed'), 'the failed launch undoes what it made').toContain('releaseServers');
    const children = (name: string) =>
      history(`current-${name}.pb`)
        .events.map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name)
        .filter(Boolean);
    expect(children('clone'), 'the clone ends its server through the terminate workflow').toEqual([
      'launchServer',
      'captureImage',
      'terminateServer',
    ]);
    expect(children('clone-failed'), 'and so does a clone whose capture failed').toEqual([
      'launchServer',
      'captureImage',
      'terminateServer',
    ]);
    // Every workflow type the worker runs has one, but endStuck: it only runs against a broken build (test/api/stuck.test.ts).
    const unrecorded = ['endStuck'];
    const types = Object.keys(await import('../../workflows')).filter((type) => !unrecorded.includes(type));
    expect(new Set(RECORDED.map((r) => r.workflowType))).toEqual(new Set(types));
    for await (const result of Worker.runReplayHistories(sealed, histories)) {
      expect(result.error, `${result.workflowId} replays`).toBeUndefined();
    }
  }, 120_000);

  // The test above catches what it is for: the same histories on workflows changed the simplest way (a command before
  // anything else: a memo, which no workflow writes first; a timer would not do, since the console's sign-outs start
  // with one and a timer's duration is not compared) fail to replay, every one of them.
  it('fails every recorded history on workflows that each start by writing a memo', async () => {
    const mutant = path.join(PROJECT_ROOT, `workflows-mutant-${process.pid}`);
    cpSync(path.join(PROJECT_ROOT, 'workflows'), mutant, { recursive: true });
    try {
      for (const type of new Set(RECORDED.map((r) => r.workflowType))) {
        const file = readdirSync(mutant).find((f) =>
          readFileSync(path.join(mutant, f), 'utf8').includes(`export async function ${type}(`),
        )!;
        const text = readFileSync(path.join(mutant, file), 'utf8');
        // The signature is one line: the timer goes in as the body's first statement.
        const changed = `import { upsertMemo as mutantMemo } from '@temporalio/workflow';\n${text}`.replace(
          new RegExp(`^(export async function ${type}\\(.*\\{)$`, 'm'),
          "$1\n  mutantMemo({ mutant: 'yes' });",
        );
        expect(changed, `${type} was changed`).toContain("mutantMemo({ mutant: 'yes' });");
        writeFileSync(path.join(mutant, file), changed);
      }
      const ids = JSON.parse(
        readFileSync(new URL(`./histories/${RECORDED_IDS_FILE}`, import.meta.url), 'utf8'),
      ) as Record<string, string>;
      const histories = RECORDED.map((recorded) => ({
        workflowId: ids[recorded.name]!,
        history: history(recorded.file),
      }));
      const failed: string[] = [];
      for await (const result of Worker.runReplayHistories(
        { ...sealed, workflowsPath: path.join(mutant, 'index.ts') },
        histories,
      )) {
        if (result.error instanceof DeterminismViolationError) failed.push(result.workflowId);
      }
      expect(failed.sort()).toEqual(histories.map((h) => h.workflowId).sort());
    } finally {
      rmSync(mutant, { recursive: true, force: true });
    }
  }, 180_000);

  it('a clone from before its temporary server was ended through the terminate workflow', async () => {
    const clone = history('clone-before-child-terminate.pb');
    const activities = clone.events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
    expect(activities, "the clone removed the launch's server itself").toContain('releaseServers');
    await Worker.runReplayHistory(sealed, clone, 'clone-e56e6bd9-e735-416a-a6e4-5d0a838e8205');
  }, 60_000);

  it('a reaper run that planned first, then removed', async () => {
    expect(markers('reaper-plans.pb'), 'reaper-plans').toBe(1);
    await Worker.runReplayHistory(sealed, history('reaper-plans.pb'), 'reaper-plans');
  }, 60_000);
});
