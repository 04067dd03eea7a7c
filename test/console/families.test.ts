import { randomUUID } from 'node:crypto';
import { ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { familyScheduleId, type FamilyInput } from '../../domain/families';
import type { SimProvider } from '../../providers/sim/sim-provider';
import { startConsole } from '../support/browser';

const REGION = 'sim-east-1';

// The Families page in a real browser: a family defined through the API, listed, planned with a dry run, refreshed.
describe('console families page', () => {
  let con: Awaited<ReturnType<typeof startConsole>>;
  let sim: SimProvider;
  const name = `fam-ui-${randomUUID().slice(0, 8)}`;
  const images: string[] = [];

  beforeAll(async () => {
    con = await startConsole();
    sim = con.api.temporal.provider as SimProvider;
    const family: FamilyInput = {
      name,
      description: 'Ubuntu 24.04 with our agent',
      source: { namePattern: 'ubuntu-24.04-x86_64-*', architecture: 'x86_64' },
      regions: [REGION],
      retention: { keepNewest: 2 },
      schedule: { every: '1h' },
    };
    const res = await con.api.app.inject({ method: 'POST', url: '/v1/families', payload: family });
    expect(res.statusCode, res.body).toBe(201);
    // Two versions built from an older source build: the plan builds a third from the newest and retires the oldest.
    const server = await sim.launchServer(REGION, {
      imageId: 'img-simeast1-0008',
      productId: 'm1.small',
      name: 'src-ui',
      clientToken: randomUUID(),
    });
    for (const version of ['2026.03.05.1', '2026.03.06.1']) {
      const tags = { family: name, version, 'source-image': 'img-simeast1-0008' };
      images.push(
        (await sim.captureImage(REGION, { serverId: server.id, name: `${name}-${version}`, reboot: false, tags })).id,
      );
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await con.signIn(con.api.keys.admin);
  }, 60_000);

  afterAll(async () => {
    // The Temporal dev server is shared by every test file: the schedule made here goes with it.
    await con?.api.temporal.client.schedule
      .getHandle(familyScheduleId(name))
      .delete()
      .catch((err: unknown) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
    await con?.stop();
  });

  const link = () => con.page.getByRole('link', { name, exact: true });

  it('lists the family with its source, regions, schedule and next run', async () => {
    await con.page.goto(`${con.url}/#/families`);
    // Schedules are listed eventually: one just made may take a moment.
    await expect
      .poll(
        async () => {
          await con.page.getByRole('button', { name: 'Refresh' }).click();
          return link().count();
        },
        { timeout: 15_000 },
      )
      .toBe(1);
    const row = await con.page.getByRole('row').filter({ has: link() }).locator('td').allTextContents();
    expect(row.slice(0, 4)).toEqual([name, 'ubuntu-24.04-x86_64-*, x86_64', REGION, 'every 1 h']);
    expect(Date.parse(row[4] ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('shows the versions in the region, and a dry run plan that builds a version from the newest source and deprecates the old ones, changing nothing', async () => {
    await link().click();
    await con.page.getByRole('heading', { name, level: 2 }).waitFor();
    await con.page.getByRole('heading', { name: `Versions in ${REGION}` }).waitFor();
    await expect.poll(() => con.page.getByRole('cell', { name: /^2026\.03\.0[56]\.1$/ }).count()).toBe(2);
    const before = (await sim.listImages(REGION, { limit: 1000 })).items.length;

    await con.page.getByRole('button', { name: 'Dry run' }).click();
    const plan = con.page.getByRole('region', { name: `Plan for ${REGION}` });
    await plan.waitFor({ timeout: 30_000 });
    await con.page.getByRole('heading', { name: 'Dry-run plan (nothing was changed)' }).waitFor();
    const actions = await plan.getByRole('listitem').allTextContents();
    expect(actions).toEqual([
      expect.stringMatching(
        /^Build version (\S+) from img-simeast1-0009: the current version 2026\.03\.06\.1 was built from img-simeast1-0008$/,
      ),
      expect.stringMatching(new RegExp(`^Deprecate ${images[1]}: would be replaced by the new version`)),
      expect.stringMatching(new RegExp(`^Deprecate ${images[0]}: beyond retention`)),
      expect.stringMatching(/^Keep \(new \S+\): within the floor of 1/),
    ]);
    expect((await sim.listImages(REGION, { limit: 1000 })).items.length).toBe(before);
    await con.screenshot('families');
  });

  it('starts a real refresh with Run now, links its operation, and shows the new version once it completes', async () => {
    await con.page.getByRole('button', { name: 'Run now' }).click();
    const operation = con.page.getByRole('link', { name: new RegExp(`^refresh-${name}-`) });
    await operation.waitFor();
    expect(await operation.getAttribute('href')).toMatch(new RegExp(`^/v1/operations/refresh-${name}-`));
    await expect
      .poll(() => con.page.getByRole('status').filter({ hasText: 'Refresh started' }).textContent(), {
        timeout: 30_000,
      })
      .toMatch(/ — completed$/);
    await expect
      .poll(() => con.page.getByRole('cell', { name: /^2026\.03\.0[56]\.1$|^\d{4}\.\d\d\.\d\d\.\d+$/ }).count(), {
        timeout: 10_000,
      })
      .toBe(3);
    // Among the runs (admins only), once visibility has them: the dry run and this refresh.
    await expect
      .poll(
        async () => {
          await con.page.reload();
          await con.page.getByRole('heading', { name: 'Recent runs' }).waitFor();
          return con.page
            .getByRole('row')
            .filter({ hasText: /dry run|refresh/ })
            .locator('td:nth-child(2)')
            .allTextContents();
        },
        { timeout: 15_000 },
      )
      .toEqual(expect.arrayContaining(['dry run', 'refresh']));
  });

  it('leaves the runs out for a key that is not an admin, and shows its refusal of a refresh', async () => {
    const viewer = await con.browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await con.signIn(con.api.keys.viewer, viewer);
      const runs = viewer.waitForResponse((response) => response.url().endsWith(`/v1/families/${name}/runs`));
      await viewer.goto(`${con.url}/#/families/${name}`);
      expect((await runs).status()).toBe(403);
      await viewer.getByRole('heading', { name: `Versions in ${REGION}` }).waitFor();
      expect(await viewer.getByRole('heading', { name: 'Recent runs' }).count()).toBe(0);
      await viewer.getByRole('button', { name: 'Dry run' }).click();
      await expect.poll(() => viewer.getByRole('alert').textContent()).toMatch(/has the viewer role; POST .* needs/);
    } finally {
      await viewer.close();
    }
  });
});
