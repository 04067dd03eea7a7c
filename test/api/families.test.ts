import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject as provided } from 'vitest';
import { readFamiliesFile } from '../../api/families-file';
import { serveApi } from '../../api/serve';
import { ensureFamilySchedule, ensureReaperSchedule } from '../../api/schedules';
import { loadConfig } from '../../config/config';
import { FamilySchema, familyScheduleId, type FamilyInput } from '../../domain/families';
import { REAPER_SCHEDULE_ID } from '../../domain/reaper';
import { SimProvider } from '../../providers/sim/sim-provider';
import { freePort } from '../support/free-port';
import { startTestApi } from '../support/api';

const REGION = 'sim-east-1';

const familyBody = (name: string, overrides: Partial<FamilyInput> = {}): FamilyInput => ({
  name,
  source: { namePattern: 'ubuntu-24.04-x86_64-*', architecture: 'x86_64' },
  regions: [REGION],
  retention: { keepNewest: 2 },
  schedule: { every: '1h' },
  ...overrides,
});

/** Schedules listed under this id: the list is eventually consistent, so wait for the first sighting. */
async function sightings(client: Client, scheduleId: string): Promise<number> {
  let count = 0;
  await expect
    .poll(
      async () => {
        count = 0;
        for await (const s of client.schedule.list()) if (s.scheduleId === scheduleId) count += 1;
        return count;
      },
      { timeout: 10_000, interval: 200 },
    )
    .toBeGreaterThan(0);
  return count;
}

// Families as Temporal Schedules through the API, on the sim; the refresh itself is the workflows' test.
describe('families API on the sim', () => {
  let env: Awaited<ReturnType<typeof startTestApi>>;
  let sim: SimProvider;
  let client: Client;
  // The dev server is shared with other test files: every schedule made here is deleted at the end.
  const made = new Set<string>();
  const newName = (prefix = 'fam') => {
    const name = `${prefix}-${randomUUID().slice(0, 8)}`;
    made.add(familyScheduleId(name));
    return name;
  };
  beforeAll(async () => {
    sim = new SimProvider({ timeScale: 0 });
    env = await startTestApi({ provider: sim });
    client = env.temporal.client;
  });
  afterAll(async () => {
    for (const id of [...made, REAPER_SCHEDULE_ID]) {
      await client?.schedule
        .getHandle(id)
        .delete()
        .catch((err: unknown) => {
          if (!(err instanceof ScheduleNotFoundError)) throw err;
        });
    }
    await env?.stop();
  });
  const inject = (method: 'GET' | 'PATCH' | 'POST' | 'DELETE', url: string, payload?: object) =>
    env.app.inject({ method, url, ...(payload ? { payload } : {}) });
  const create = async (name: string, overrides: Partial<FamilyInput> = {}) => {
    const res = await inject('POST', '/v1/families', familyBody(name, overrides));
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };

  it('creates a family (201) with its schedule, lists it with its next run, and refuses the same name again (409)', async () => {
    const name = newName();
    const created = await create(name, { description: 'Ubuntu 24.04, kept current' });
    expect(created).toMatchObject({
      name,
      paused: false,
      nextRunAt: expect.any(String),
      schedule: { every: 3600, timezone: 'UTC', paused: false },
      retention: { keepNewest: 2, floor: 1 },
    });

    await expect
      .poll(async () => (await inject('GET', '/v1/families')).json().items.map((f: { name: string }) => f.name), {
        timeout: 10_000,
      })
      .toContain(name);
    const listed = (await inject('GET', '/v1/families')).json().items.find((f: { name: string }) => f.name === name);
    expect(listed).toEqual(created);

    const again = await inject('POST', '/v1/families', familyBody(name));
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      code: 'family_exists',
      message: expect.stringContaining(`PATCH /v1/families/${name}`),
    });

    const description = await client.schedule.getHandle(familyScheduleId(name)).describe();
    expect(description.action).toMatchObject({
      workflowType: 'refreshImageFamily',
      taskQueue: env.temporal.config.TEMPORAL_TASK_QUEUE,
      workflowId: `refresh-${name}`,
    });
    expect(description.policies).toMatchObject({ overlap: 'SKIP', pauseOnFailure: true });
    expect(description.spec.intervals).toEqual([expect.objectContaining({ every: 3_600_000 })]);
  });

  it('ensures a schedule twice and it exists once, with the second definition', async () => {
    const name = newName();
    const family = FamilySchema.parse(familyBody(name));
    const taskQueue = env.temporal.config.TEMPORAL_TASK_QUEUE;
    expect(await ensureFamilySchedule(client, taskQueue, family)).toBe('created');
    expect(await ensureFamilySchedule(client, taskQueue, { ...family, regions: [REGION, 'sim-west-1'] })).toBe(
      'updated',
    );
    expect(await sightings(client, familyScheduleId(name))).toBe(1);
    const got = await inject('GET', `/v1/families/${name}`);
    expect(got.json().regions).toEqual([REGION, 'sim-west-1']);
    // Ensured again at start-up, a schedule paused meanwhile (by hand, or after a failed run) stays paused.
    await client.schedule.getHandle(familyScheduleId(name)).pause('paused by an operator');
    expect(await ensureFamilySchedule(client, taskQueue, family)).toBe('updated');
    expect((await client.schedule.getHandle(familyScheduleId(name)).describe()).state.paused).toBe(true);
  });

  it('answers a cron expression or time zone Temporal refuses with 400 naming body.schedule', async () => {
    for (const schedule of [{ cron: 'not a cron' }, { every: '1h', timezone: 'Mars/Olympus' }]) {
      const res = await inject('POST', '/v1/families', { ...familyBody(newName()), schedule });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().message).toContain('body.schedule');
    }
  });

  it('changes the definition and the schedule with PATCH: cron replaces every, paused, regions', async () => {
    const name = newName();
    await create(name);
    const res = await inject('PATCH', `/v1/families/${name}`, {
      schedule: { cron: '30 3 * * *', paused: true },
      retention: { keepDays: 30 },
      regions: [REGION, 'sim-west-1'],
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      name,
      paused: true,
      regions: [REGION, 'sim-west-1'],
      retention: { keepNewest: 2, keepDays: 30, floor: 1 },
      schedule: { cron: '30 3 * * *', paused: true },
    });
    expect(body.schedule).not.toHaveProperty('every');
    expect(body).not.toHaveProperty('nextRunAt');

    const description = await client.schedule.getHandle(familyScheduleId(name)).describe();
    expect(description.state.paused).toBe(true);
    expect(description.spec.intervals ?? []).toEqual([]);
    expect(description.spec.calendars).toEqual([
      expect.objectContaining({ hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] }),
    ]);
    expect((description.action.args?.[0] as { family: { regions: string[] } }).family.regions).toEqual([
      REGION,
      'sim-west-1',
    ]);

    const resumed = await inject('PATCH', `/v1/families/${name}`, { schedule: { paused: false } });
    expect(resumed.json()).toMatchObject({
      paused: false,
      nextRunAt: expect.any(String),
      schedule: { cron: '30 3 * * *' },
    });
  });

  it('refuses a PATCH that renames, that leaves an invalid family, or of an unknown family', async () => {
    const name = newName();
    await create(name);
    const renamed = await inject('PATCH', `/v1/families/${name}`, { name: 'other-name' });
    expect(renamed.statusCode).toBe(400);
    expect(renamed.json().message).toMatch(/^body\.name: a family's name cannot change/);
    const both = await inject('PATCH', `/v1/families/${name}`, { schedule: { cron: '0 * * * *', every: '2h' } });
    expect(both.statusCode).toBe(400);
    expect(both.json().message).toContain('body.schedule: give exactly one of cron or every');
    const unknownField = await inject('PATCH', `/v1/families/${name}`, { retention: { keep: 3 } });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json().message).toContain('body.retention');
    const unknown = await inject('PATCH', `/v1/families/no-such-${randomUUID().slice(0, 6)}`, { regions: [REGION] });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('not_found');
  });

  it('deletes a family (204), after which it is 404', async () => {
    const name = newName();
    await create(name);
    expect((await inject('DELETE', `/v1/families/${name}`)).statusCode).toBe(204);
    const again = await inject('DELETE', `/v1/families/${name}`);
    expect(again.statusCode).toBe(404);
    expect(again.json()).toEqual({ code: 'not_found', message: `family "${name}" does not exist` });
    expect((await inject('GET', `/v1/families/${name}`)).statusCode).toBe(404);
  });

  it.each([
    ['no keepNewest or keepDays', { retention: { floor: 2 } }, 'body.retention: give keepNewest or keepDays'],
    [
      'both cron and every',
      { schedule: { cron: '0 3 * * *', every: '1h' } },
      'body.schedule: give exactly one of cron or every',
    ],
    ['a bad name', { name: 'Bad_Name' }, 'body.name: use 1 to 63 lowercase letters'],
  ])('refuses a family with %s (400, naming the field)', async (_what, overrides, message) => {
    const res = await inject('POST', '/v1/families', familyBody('bad-family', overrides as Partial<FamilyInput>));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_request', message: expect.stringContaining(message) });
  });

  it("lists the family's versions, newest first, from the own images tagged with it", async () => {
    const name = newName();
    await create(name);
    expect((await inject('GET', `/v1/families/${name}/versions`)).json()).toEqual({ items: [] });
    const server = await sim.launchServer(REGION, {
      imageId: 'img-simeast1-0009',
      productId: 'm1.small',
      name: 'src-1',
      clientToken: randomUUID(),
    });
    const tags = (version: string) => ({ family: name, version, 'source-image': 'img-simeast1-0009' });
    const older = await sim.captureImage(REGION, {
      serverId: server.id,
      name: `${name}-1`,
      reboot: false,
      tags: tags('2026.01.01.1'),
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const newer = await sim.captureImage(REGION, {
      serverId: server.id,
      name: `${name}-2`,
      reboot: false,
      tags: tags('2026.01.02.1'),
    });
    await sim.captureImage(REGION, {
      serverId: server.id,
      name: `${name}-other`,
      reboot: false,
      tags: { family: 'another-family', version: '1' },
    });
    const res = await inject('GET', `/v1/families/${name}/versions?region=${REGION}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items).toEqual([
      {
        imageId: newer.id,
        region: REGION,
        version: '2026.01.02.1',
        state: expect.any(String),
        createdAt: newer.createdAt,
        sourceImageId: 'img-simeast1-0009',
      },
      {
        imageId: older.id,
        region: REGION,
        version: '2026.01.01.1',
        state: expect.any(String),
        createdAt: older.createdAt,
        sourceImageId: 'img-simeast1-0009',
      },
    ]);
  });

  it('answers a dry run with the plan, changing nothing, and shows it among the runs', async () => {
    const name = newName();
    await create(name);
    const before = (await sim.listImages(REGION, { limit: 1000 })).items.length;
    const res = await inject('POST', `/v1/families/${name}/refresh?dryRun=true`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      family: name,
      dryRun: true,
      regions: [{ region: REGION, build: { sourceImageId: expect.any(String) }, errors: [] }],
    });
    expect((await sim.listImages(REGION, { limit: 1000 })).items.length).toBe(before);

    await expect
      .poll(async () => (await inject('GET', `/v1/families/${name}/runs`)).json().items.length, { timeout: 10_000 })
      .toBe(1);
    const [run] = (await inject('GET', `/v1/families/${name}/runs`)).json().items;
    expect(run).toMatchObject({
      status: 'completed',
      dryRun: true,
      workflowId: expect.stringMatching(new RegExp(`^refresh-${name}-dry-`)),
      report: { family: name, dryRun: true },
    });
  });

  it('starts a real refresh (202) whose status is an operation', async () => {
    const name = newName();
    await create(name);
    const res = await inject('POST', `/v1/families/${name}/refresh`);
    expect(res.statusCode, res.body).toBe(202);
    const { workflowId, statusUrl } = res.json();
    expect(workflowId).toMatch(new RegExp(`^refresh-${name}-`));
    await client.workflow.getHandle(workflowId).result();
    const status = await inject('GET', statusUrl);
    expect(status.json()).toMatchObject({
      type: 'refreshImageFamily',
      status: 'completed',
      result: { family: name, dryRun: false },
    });
  });

  it('ensures the reaper schedule twice and it exists once', async () => {
    const taskQueue = env.temporal.config.TEMPORAL_TASK_QUEUE;
    await ensureReaperSchedule(client, taskQueue, [REGION]);
    expect(await ensureReaperSchedule(client, taskQueue, [REGION, 'sim-west-1'])).toBe('updated');
    expect(await sightings(client, REAPER_SCHEDULE_ID)).toBe(1);
    const description = await client.schedule.getHandle(REAPER_SCHEDULE_ID).describe();
    expect(description.action).toMatchObject({
      workflowType: 'reapOrphans',
      args: [{ regions: [REGION, 'sim-west-1'], graceSeconds: 600 }],
    });
    expect(description.spec.intervals).toEqual([expect.objectContaining({ every: 3_600_000 })]);
  });

  it('at start-up ensures the schedules of FAMILIES_FILE and the reaper', async () => {
    const name = newName('file');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'families-')), 'families.json');
    writeFileSync(file, JSON.stringify([familyBody(name)]));
    const config = loadConfig({
      TEMPORAL_ADDRESS: provided('temporalAddress'),
      TEMPORAL_TASK_QUEUE: env.temporal.config.TEMPORAL_TASK_QUEUE,
      PORT: String(await freePort()),
      FAMILIES_FILE: file,
      REAPER_GRACE_SECONDS: '900',
    });
    const api = await serveApi({
      config,
      provider: sim,
      keys: env.temporal.keys,
      payloadCodecs: env.temporal.payloadCodecs,
      logger: pino({ level: 'silent' }),
    });
    try {
      expect((await client.schedule.getHandle(familyScheduleId(name)).describe()).action.workflowType).toBe(
        'refreshImageFamily',
      );
      expect((await client.schedule.getHandle(REAPER_SCHEDULE_ID).describe()).action.args).toEqual([
        { regions: await sim.listRegions(), graceSeconds: 900 },
      ]);
    } finally {
      await api.close();
    }
  });
});

describe('FAMILIES_FILE', () => {
  const write = (content: string) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'families-')), 'families.json');
    writeFileSync(file, content);
    return file;
  };

  it('reads a JSON array of families, defaults applied', () => {
    const file = write(
      JSON.stringify([
        familyBody('one'),
        familyBody('two', { schedule: { cron: '0 4 * * 1', timezone: 'Europe/Berlin' } }),
      ]),
    );
    expect(readFamiliesFile(file).map((f) => [f.name, f.schedule])).toEqual([
      ['one', { every: 3600, timezone: 'UTC', paused: false }],
      ['two', { cron: '0 4 * * 1', timezone: 'Europe/Berlin', paused: false }],
    ]);
  });

  it('refuses a bad file naming the file and the field', () => {
    const file = write(JSON.stringify([familyBody('one'), familyBody('two', { retention: {} }), familyBody('one')]));
    expect(() => readFamiliesFile(file)).toThrow(`FAMILIES_FILE ${file}: [1].retention: give keepNewest or keepDays`);
    expect(() => readFamiliesFile(write('[{'))).toThrow(/is not JSON/);
    expect(() => readFamiliesFile('/no/such/families.json')).toThrow(
      'FAMILIES_FILE /no/such/families.json: cannot be read (ENOENT)',
    );
  });
});
