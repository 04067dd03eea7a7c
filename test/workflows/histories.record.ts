import { writeFileSync } from 'node:fs';
import { ScheduleNotFoundError } from '@temporalio/client';
// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalQuotaPlaces } from '../../api/billing/quota-ledger';
import { BillingCodeSchema } from '../../domain/billing-codes';
import { familyScheduleId } from '../../domain/families';
import { SessionRevocations } from '../../api/auth/session-revocations';
import { REVOKED_SESSIONS_QUERY, consoleSessionsWorkflowId, type RevokedSession } from '../../domain/console-sessions';
import { pino } from 'pino';
import { LEDGER, quotaLedgerId, type LedgerPlaces } from '../../domain/quota-ledger';
import { SimProvider } from '../../providers/sim/sim-provider';
import { startTestApi } from '../support/api';
import { LAUNCH_BODY } from '../support/launches';
import { RECORDED, RECORDED_IDS_FILE, type RecordedHistory } from './recorded-histories';

// `npm run histories:record`: runs one of each workflow type (and each way a launch ends) on the current code and
// writes its history to histories/, for test/workflows/replay.test.ts to replay on every later change. Record
// again when a change is meant to be incompatible, and keep the old files of a patch until the patch is retired.

const REGION = 'sim-east-1';
const FAMILY = 'recorded-family';

describe('record one history of each workflow', () => {
  let env: Awaited<ReturnType<typeof startTestApi>>;
  let sim: SimProvider;
  beforeAll(async () => {
    sim = new SimProvider({ timeScale: 0 });
    env = await startTestApi({ provider: sim });
  });
  afterAll(async () => {
    await env?.temporal.client.schedule
      .getHandle(familyScheduleId(FAMILY))
      .delete()
      .catch((err: unknown) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
    await env?.stop();
  });

  const post = async (url: string, payload?: object, method: 'POST' | 'DELETE' = 'POST') => {
    const res = await env.app.inject({ method, url, ...(payload ? { payload } : {}) });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json() as { id: string };
  };
  const closed = async (id: string) => {
    const handle = env.temporal.client.workflow.getHandle(id);
    await handle.result().catch(() => undefined);
    return (await handle.describe()).status.name;
  };
  /** Workflow ids by scenario: a replay runs under the recorded id (a clone names its child launch after its own). */
  const ids: Record<string, string> = {};
  const save = async (history: RecordedHistory, id: string) => {
    const events = await env.temporal.client.workflow.getHandle(id).fetchHistory();
    writeFileSync(
      new URL(`./histories/${history.file}`, import.meta.url),
      proto.temporal.api.history.v1.History.encode(events).finish(),
    );
    ids[history.name] = id;
  };
  const recorded = (name: string) => RECORDED.find((h) => h.name === name)!;

  it('records them', async () => {
    // A launch with a key pair, a firewall and two disks in raid1, through to ready.
    const launch = await post('/v1/launches', {
      ...LAUNCH_BODY,
      name: 'recorded-1',
      keypair: { create: {} },
      firewall: { create: { rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.0/24' }] } },
      volumes: { disks: [{ sizeGb: 10 }, { sizeGb: 10 }], raid: 'raid1', filesystem: 'ext4', mountPoint: '/data' },
    });
    expect(await closed(launch.id)).toBe('COMPLETED');
    await save(recorded('launch-completed'), launch.id);
    const serverId = (
      (await env.app.inject({ method: 'GET', url: `/v1/launches/${launch.id}` })).json() as { server: { id: string } }
    ).server.id;

    // A launch whose server never passes its checks: it fails at its deadline and undoes what it made.
    sim.faults.script({ operation: 'statusChecks', match: { serverName: 'recorded-failed' }, impaired: true });
    const failed = await post('/v1/launches', { ...LAUNCH_BODY, name: 'recorded-failed', readyTimeout: 3 });
    expect(await closed(failed.id)).toBe('FAILED');
    await save(recorded('launch-failed'), failed.id);

    // A launch cancelled while it waits for readiness.
    sim.faults.script({ operation: 'statusChecks', match: { serverName: 'recorded-cancel' }, impaired: true });
    const cancelled = await post('/v1/launches', { ...LAUNCH_BODY, name: 'recorded-cancel', readyTimeout: 600 });
    await expect
      .poll(
        async () =>
          ((await env.app.inject({ method: 'GET', url: `/v1/launches/${cancelled.id}` })).json() as { step?: string })
            .step,
        { timeout: 30_000 },
      )
      .toBe('wait-ready');
    await post(`/v1/launches/${cancelled.id}/cancel`);
    expect(await closed(cancelled.id)).toBe('CANCELLED');
    await save(recorded('launch-cancelled'), cancelled.id);

    // A capture of the first launch's server, then its deletion.
    const capture = await post('/v1/images', { name: 'recorded-capture', region: REGION, serverId, reboot: false });
    expect(await closed(capture.id)).toBe('COMPLETED');
    await save(recorded('capture'), capture.id);
    const imageId = ((await env.temporal.client.workflow.getHandle(capture.id).result()) as { id: string }).id;
    const deletion = await post(`/v1/images/${imageId}?region=${REGION}`, undefined, 'DELETE');
    expect(await closed(deletion.id)).toBe('COMPLETED');
    await save(recorded('delete-image'), deletion.id);

    // A clone of a provided template into a private image.
    const clone = await post(`/v1/images/${LAUNCH_BODY.imageId}/clone`, {
      name: 'recorded-clone',
      region: REGION,
      group: LAUNCH_BODY.group,
      billingCode: LAUNCH_BODY.billingCode,
    });
    expect(await closed(clone.id)).toBe('COMPLETED');
    await save(recorded('clone'), clone.id);

    // A clone whose capture the cloud refuses: its temporary server is terminated through the terminate workflow.
    sim.faults.script({ operation: 'captureImage', code: 'InvalidInput' });
    const failedClone = await post(`/v1/images/${LAUNCH_BODY.imageId}/clone`, {
      name: 'recorded-clone-failed',
      region: REGION,
      group: LAUNCH_BODY.group,
      billingCode: LAUNCH_BODY.billingCode,
    });
    expect(await closed(failedClone.id)).toBe('FAILED');
    sim.faults.clear();
    await save(recorded('clone-failed'), failedClone.id);

    // A family refresh that builds a version, and a second that builds another and retires the first.
    // Each refresh follows a new upstream build, as a cloud's publisher would make one.
    let upstream = 0;
    const publish = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5)); // a later createdAt than the last build
      sim.publishPublicImage(REGION, {
        name: `${FAMILY}-upstream-${++upstream}`,
        platform: 'ubuntu',
        architecture: 'x86_64',
      });
    };
    await post('/v1/families', {
      name: FAMILY,
      source: { namePattern: `${FAMILY}-upstream-*`, architecture: 'x86_64' },
      regions: [REGION],
      retention: { keepNewest: 1 },
      schedule: { every: '1h' },
    });
    await publish();
    const build = await post(`/v1/families/${FAMILY}/refresh`);
    expect(await closed(build.id)).toBe('COMPLETED');
    await save(recorded('refresh-builds'), build.id);
    await publish();
    const retire = await post(`/v1/families/${FAMILY}/refresh`);
    expect(await closed(retire.id)).toBe('COMPLETED');
    await save(recorded('refresh-retires'), retire.id);

    // The first launch's server stopped (and started again, unrecorded).
    const stop = await post(`/v1/servers/${serverId}/stop?region=${REGION}`);
    expect(await closed(stop.id)).toBe('COMPLETED');
    await save(recorded('server-stop'), stop.id);
    expect(await closed((await post(`/v1/servers/${serverId}/start?region=${REGION}`)).id)).toBe('COMPLETED');

    // The first launch's server terminated, with what its launch made for it.
    const termination = await post(`/v1/servers/${serverId}?region=${REGION}`, undefined, 'DELETE');
    expect(await closed(termination.id)).toBe('COMPLETED');
    await save(recorded('terminate'), termination.id);

    // A reaper pass with no grace: it takes what the failed and cancelled launches' undos might have left.
    const reap = await post(`/v1/reaper/run?region=${REGION}&graceSeconds=0`);
    expect(await closed(reap.id)).toBe('COMPLETED');
    await save(recorded('reap'), reap.id);

    // A billing code's quota ledger: three admissions (one refused at the hard quota of 2) and a release.
    const places = temporalQuotaPlaces(env.temporal.client, env.temporal.config.TEMPORAL_TASK_QUEUE);
    const code = BillingCodeSchema.parse({
      code: 'recorded-code',
      name: 'recorded',
      groups: ['*'],
      quota: { hard: 2 },
    });
    for (const launchId of ['launch-recorded-a', 'launch-recorded-b', 'launch-recorded-c'])
      await places.admit(code, launchId);
    await places.release(code.code, 'launch-recorded-a');
    const ledger = env.temporal.client.workflow.getHandle(quotaLedgerId(code.code));
    await expect
      .poll(async () => (await ledger.query<LedgerPlaces>(LEDGER.places)).launchIds)
      .toEqual(['launch-recorded-b']);
    await save(recorded('quota-ledger'), ledger.workflowId);
    await ledger.terminate('recorded');

    // The console's sign-outs: two sessions signed out, through the API replicas' own signal-with-start.
    const revocations = new SessionRevocations(
      env.temporal.client,
      env.temporal.config.TEMPORAL_TASK_QUEUE,
      pino({ level: 'silent' }),
    );
    const hourFromNow = Date.now() + 3_600_000;
    await revocations.revoke({ sessionId: 'recorded-session-1', expiresAt: hourFromNow });
    await revocations.revoke({ sessionId: 'recorded-session-2', expiresAt: hourFromNow });
    const sessions = env.temporal.client.workflow.getHandle(
      consoleSessionsWorkflowId(env.temporal.config.TEMPORAL_TASK_QUEUE),
    );
    await expect.poll(async () => (await sessions.query<RevokedSession[]>(REVOKED_SESSIONS_QUERY)).length).toBe(2);
    await save(recorded('console-sessions'), sessions.workflowId);
    await sessions.terminate('recorded');

    expect(Object.keys(ids).sort()).toEqual(RECORDED.map((h) => h.name).sort());
    writeFileSync(new URL(`./histories/${RECORDED_IDS_FILE}`, import.meta.url), `${JSON.stringify(ids, null, 2)}\n`);
  }, 300_000);
});
