import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FamilySchema, type FamilyInput, type RefreshReport } from '../../domain/families';
import { MANAGED_BY } from '../../domain/launch';
import { SimProvider } from '../../providers/sim/sim-provider';
import { reapOrphans } from '../../workflows/reap-orphans';
import { refreshImageFamily } from '../../workflows/refresh-image-family';
import { launchRequest, startLaunch } from '../support/launches';
import { startTestWorker } from '../support/temporal';

const region = 'sim-east-1';

describe('template families: refresh, retention, dry run; the reaper', () => {
  const sim = new SimProvider({ timeScale: 0 });
  let env: Awaited<ReturnType<typeof startTestWorker>>;
  beforeAll(async () => {
    env = await startTestWorker({ provider: sim });
  });
  afterAll(async () => env?.stop());

  const familyOf = (name: string, overrides: Partial<FamilyInput> = {}) =>
    FamilySchema.parse({
      name,
      source: { namePattern: `${name}-upstream-*`, architecture: 'x86_64' },
      regions: [region],
      retention: { keepNewest: 2 },
      schedule: { every: '1h' },
      ...overrides,
    });
  let upstream = 0;
  const publish = async (name: string) => {
    await new Promise((resolve) => setTimeout(resolve, 5)); // a later createdAt than the last build
    return sim.publishPublicImage(region, {
      name: `${name}-upstream-${++upstream}`,
      platform: 'ubuntu',
      architecture: 'x86_64',
    });
  };
  const refresh = (family: ReturnType<typeof familyOf>, options: { dryRun?: boolean; force?: boolean } = {}) =>
    env.client.workflow.execute(refreshImageFamily, {
      taskQueue: env.config.TEMPORAL_TASK_QUEUE,
      workflowId: `refresh-${family.name}-${randomUUID()}`,
      args: [{ family, ...options }],
    });
  const states = async (name: string) => {
    const own = (await sim.listImages(region, { limit: 1000 })).items.filter((i) => i.tags.family === name);
    return own
      .sort((a, b) => a.tags.version!.localeCompare(b.tags.version!, undefined, { numeric: true }))
      .map((i) => i.state);
  };

  it('builds a version per new upstream image, deprecates the previous one, and retires the rest stage by stage', async () => {
    const name = `fam-${randomUUID().slice(0, 6)}`;
    const family = familyOf(name);
    const first = await publish(name);
    const run1 = await refresh(family);
    expect(run1.regions[0]).toMatchObject({
      sourceImageId: first.id,
      built: expect.stringMatching(/^img-/),
      errors: [],
    });
    expect(await states(name)).toEqual(['available']);
    const versionImage = await sim.getImage(region, run1.regions[0]!.built!);
    expect(versionImage.tags).toMatchObject({
      family: name,
      'source-image': first.id,
      version: expect.stringMatching(/^\d{4}\.\d{2}\.\d{2}\.1$/),
    });

    await publish(name);
    await refresh(family);
    expect(await states(name)).toEqual(['deprecated', 'available']);
    await publish(name);
    const run3 = await refresh(family);
    expect(await states(name)).toEqual(['disabled', 'deprecated', 'available']);
    expect(run3.regions[0]!.retire.map((r) => r.action).sort()).toEqual(['deprecate', 'disable']);

    // The upstream has not changed: no new version, and the last stage for the oldest one.
    const run4 = await refresh(family);
    expect(run4.regions[0]).toMatchObject({ upToDate: true });
    expect(run4.regions[0]!.build).toBeUndefined();
    expect(await states(name)).toEqual(['deprecated', 'available']);
  });

  it('moves a version one stage per run: replaced and deprecated in one run, disabled only in the next', async () => {
    const name = `one-${randomUUID().slice(0, 6)}`;
    const family = familyOf(name, { retention: { keepNewest: 1 } });
    await publish(name);
    await refresh(family);
    await publish(name);
    const second = await refresh(family);
    expect(await states(name)).toEqual(['deprecated', 'available']);
    expect(second.regions[0]!.retire).toEqual([expect.objectContaining({ action: 'deprecate' })]);
    await refresh(family);
    expect(await states(name)).toEqual(['disabled', 'available']);
    await refresh(family);
    expect(await states(name)).toEqual(['available']);
  });

  it('fails the run (so its schedule pauses) when a region cannot refresh, reporting why', async () => {
    const family = familyOf(`none-${randomUUID().slice(0, 6)}`);
    const err = await refresh(family).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    const chain: string[] = [];
    for (let e: unknown = err; e instanceof Error; e = e.cause) chain.push(e.message);
    expect(chain.join(' <- ')).toMatch(/no available public image in sim-east-1 matches/);
  });

  it('never deletes a version a running server was launched from: it stays deprecated and is reported', async () => {
    const name = `pin-${randomUUID().slice(0, 6)}`;
    const family = familyOf(name, { retention: { keepNewest: 1 } });
    await publish(name);
    const pinned = (await refresh(family)).regions[0]!.built!;
    const server = (
      await (
        await startLaunch(
          env.client,
          env.config.TEMPORAL_TASK_QUEUE,
          launchRequest({ imageId: pinned, name: 'pinned-1' }),
        )
      ).result()
    ).server.id;
    let last: RefreshReport | undefined;
    for (let i = 0; i < 3; i++) {
      await publish(name);
      last = await refresh(family);
    }
    expect(last!.regions[0]!.protected).toContainEqual({ imageId: pinned, serverIds: [server], childImageIds: [] });
    expect((await sim.getImage(region, pinned)).state).toBe('deprecated');
  });

  it('plans in a dry run and changes nothing in the provider', async () => {
    const name = `dry-${randomUUID().slice(0, 6)}`;
    const family = familyOf(name, { retention: { keepNewest: 1 } });
    await publish(name);
    await refresh(family);
    const newest = await publish(name);
    const before = JSON.stringify(await sim.listImages(region, { limit: 1000 }));
    const serversBefore = (await sim.listServers(region)).length;
    const plan = await refresh(family, { dryRun: true });
    expect(plan.dryRun).toBe(true);
    expect(plan.regions[0]).toMatchObject({
      sourceImageId: newest.id,
      build: { sourceImageId: newest.id },
      retire: [expect.objectContaining({ action: 'deprecate', reason: expect.stringContaining('would be replaced') })],
    });
    expect(JSON.stringify(await sim.listImages(region, { limit: 1000 }))).toBe(before);
    expect((await sim.listServers(region)).length).toBe(serversBefore);
  });

  it('reaps an expired temporary server and key pair, and leaves unexpired ones alone', async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const tags = (expiresAt: string) => ({ 'managed-by': MANAGED_BY, temporary: 'true', 'expires-at': expiresAt });
    const launch = (name: string, expiresAt: string) =>
      sim.launchServer(region, {
        imageId: 'img-simeast1-0003',
        productId: 'm1.small',
        name,
        clientToken: randomUUID(),
        tags: tags(expiresAt),
      });
    const expiredServer = await launch('reap-me', past);
    const liveServer = await launch('keep-me', future);
    const keyName = `reap-${randomUUID().slice(0, 6)}`;
    await sim.createKeypair(region, keyName, tags(past));
    await sim.createKeypair(region, `${keyName}-kept`, tags(future));

    const report = await env.client.workflow.execute(reapOrphans, {
      taskQueue: env.config.TEMPORAL_TASK_QUEUE,
      workflowId: `reap-${randomUUID()}`,
      args: [{ regions: [region] }],
    });
    expect(report.servers).toBeGreaterThanOrEqual(1);
    expect(report.keypairs).toBeGreaterThanOrEqual(1);
    expect((await sim.getServer(region, expiredServer.id)).state).toBe('terminated');
    expect((await sim.getServer(region, liveServer.id)).state).toBe('running');
    const names = (await sim.listKeypairs(region)).map((k) => k.name);
    expect(names).not.toContain(keyName);
    expect(names).toContain(`${keyName}-kept`);
  });

  it('reaps a temporary server whose owning workflow has closed, and leaves one whose owner still runs', async () => {
    const closed = await env.client.workflow.start(refreshImageFamily, {
      taskQueue: `nobody-${randomUUID()}`,
      workflowId: `owner-${randomUUID()}`,
      args: [{ family: familyOf('owner-gone') }],
    });
    await closed.terminate('the owner is gone');
    const running = await env.client.workflow.start(refreshImageFamily, {
      taskQueue: `nobody-${randomUUID()}`,
      workflowId: `owner-${randomUUID()}`,
      args: [{ family: familyOf('owner-here') }],
    });
    const owned = (owner: string, name: string) =>
      sim.launchServer(region, {
        imageId: 'img-simeast1-0003',
        productId: 'm1.small',
        name,
        clientToken: randomUUID(),
        tags: { 'managed-by': MANAGED_BY, temporary: 'true', 'workflow-id': owner },
      });
    const orphan = await owned(closed.workflowId, 'orphan-1');
    const cared = await owned(running.workflowId, 'cared-1');
    await env.client.workflow.execute(reapOrphans, {
      taskQueue: env.config.TEMPORAL_TASK_QUEUE,
      workflowId: `reap-${randomUUID()}`,
      args: [{ regions: [region] }],
    });
    expect((await sim.getServer(region, orphan.id)).state).toBe('terminated');
    expect((await sim.getServer(region, cared.id)).state).toBe('running');
    await running.terminate('test done');
  });
});
