import { randomUUID } from 'node:crypto';
import type { Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineImage } from '../../domain/image';
import type { SimProvider } from '../../providers/sim/sim-provider';
import { startConsole } from '../support/browser';

/** The one browser global a check in the page reads: the test project's types have no DOM. */
declare const document: { querySelectorAll(selector: string): { length: number } };

const REGION = 'sim-east-1';
const UBUNTU = { id: 'img-simeast1-0003', name: 'ubuntu-22.04-x86_64-20260505' };

// The images page in a real browser against the real API: what it changes is read back from the sim itself.
describe('console images page', () => {
  let con: Awaited<ReturnType<typeof startConsole>>;
  let sim: SimProvider;
  let serverId: string;
  let own: MachineImage;
  const requests: string[] = [];
  const launchServer = (imageId: string, name: string) =>
    sim.launchServer(REGION, {
      imageId,
      productId: 'm1.small',
      name,
      tags: { group: 'ops' },
      clientToken: randomUUID(),
    });
  const row = (name: string) =>
    con.page.locator('table.images tbody tr').filter({ has: con.page.getByText(name, { exact: true }) });

  beforeAll(async () => {
    con = await startConsole();
    sim = con.api.temporal.provider as SimProvider;
    serverId = (await launchServer(UBUNTU.id, 'x')).id;
    // Two more own images, labelled, one in use, so the page (and its screenshot) shows what a team's list looks like.
    const web = await sim.captureImage(REGION, {
      serverId,
      name: 'web-base-2026-05',
      reboot: false,
      tags: { group: 'ops' },
    });
    await sim.updateImage(REGION, web.id, { labelColor: 'orange' });
    await launchServer(web.id, 'web-1');
    const db = await sim.captureImage(REGION, {
      serverId,
      name: 'db-base-2026-05',
      reboot: false,
      tags: { group: 'ops' },
    });
    await sim.updateImage(REGION, db.id, { labelColor: 'purple' });
    own = await sim.captureImage(REGION, { serverId, name: 'my-image', reboot: false, tags: { group: 'ops' } });
    con.page.on('request', (request: Request) => requests.push(new URL(request.url()).pathname));
    await con.signIn();
  }, 60_000);
  afterAll(async () => con?.stop());

  it('lists own images first, then the public library, with server counts from one listing of servers', async () => {
    await row('my-image').waitFor();
    const names = await con.page.locator('table.images tbody tr td:nth-child(2)').allTextContents();
    expect(names.slice(0, 3).sort()).toEqual(['db-base-2026-05', 'my-image', 'web-base-2026-05']);
    expect(names.slice(3)).toContain(UBUNTU.name);
    expect(await row(UBUNTU.name).locator('td.count').textContent()).toBe('1');
    expect(await row('web-base-2026-05').locator('td.count').textContent()).toBe('1');
    expect(await row('my-image').locator('td.count').textContent()).toBe('0');
    // An older build is deprecated in the sim's library: listed, struck through.
    await expect
      .poll(() => row('ubuntu-22.04-x86_64-20260105').getByText('ubuntu-22.04-x86_64-20260105').getAttribute('class'))
      .toContain('deprecated');
    expect(requests.filter((path) => path === '/v1/servers')).toHaveLength(1);
    expect(requests.filter((path) => path.startsWith('/v1/images/'))).toEqual([]);
  });

  it('pages through the public library with More, following the API’s cursor', async () => {
    await con.page.goto(`${con.url}/#/images?scope=public&limit=50`);
    const rows = con.page.locator('table.images tbody tr');
    await expect.poll(() => rows.count()).toBe(50);
    await con.page.getByRole('button', { name: 'More' }).click();
    // The sim's library: 20 versions and architectures, 3 builds each.
    await expect.poll(() => rows.count()).toBe(60);
    expect(await con.page.getByRole('button', { name: 'More' }).count()).toBe(0);
    expect(
      new Set(
        await con.page
          .locator('table.images tbody tr')
          .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-image-id'))),
      ).size,
    ).toBe(60);
    await con.page.goto(`${con.url}/#/images`);
  });

  it('renames an own image in place: Enter saves, Escape cancels, and a refusal shows beside the field', async () => {
    await con.page.getByRole('button', { name: 'my-image', exact: true }).click();
    const field = con.page.getByLabel('New name for my-image');
    await expect.poll(() => field.evaluate((input) => input.matches(':focus'))).toBe(true);
    await field.fill('my-renamed-image');
    await field.press('Enter');
    await expect.poll(async () => (await sim.getImage(REGION, own.id)).name).toBe('my-renamed-image');
    await con.page.getByRole('button', { name: 'my-renamed-image', exact: true }).waitFor();

    await con.page.getByRole('button', { name: 'my-renamed-image', exact: true }).click();
    await con.page.getByLabel('New name for my-renamed-image').fill('something-else');
    await con.page.getByLabel('New name for my-renamed-image').press('Escape');
    await con.page.getByRole('button', { name: 'my-renamed-image', exact: true }).waitFor();
    expect((await sim.getImage(REGION, own.id)).name).toBe('my-renamed-image');

    // The sim wants 3 to 128 characters: the API's message lands beside the field, which stays open.
    await con.page.getByRole('button', { name: 'my-renamed-image', exact: true }).click();
    const again = con.page.getByLabel('New name for my-renamed-image');
    await again.fill('ab');
    await again.press('Enter');
    await expect.poll(() => again.getAttribute('aria-invalid')).toBe('true');
    const describedBy = await again.getAttribute('aria-describedby');
    expect(await con.page.locator(`#${describedBy}`).textContent()).toBe(
      `"ab" does not fit sim's image names; use 3 to 128 letters, digits, spaces and ( ) [ ] . / - ' @ _`,
    );
    await again.press('Escape');
    expect((await sim.getImage(REGION, own.id)).name).toBe('my-renamed-image');
  });

  it('changes an own image’s label colour from the palette, and clears it with none', async () => {
    await con.page.getByRole('button', { name: 'Label colour of my-renamed-image: none' }).click();
    await con.page.getByRole('group', { name: 'Label colours' }).getByRole('button', { name: 'green' }).click();
    await expect.poll(async () => (await sim.getImage(REGION, own.id)).labelColor).toBe('green');
    await con.page.getByRole('button', { name: 'Label colour of my-renamed-image: green' }).click();
    await con.page.getByRole('group', { name: 'Label colours' }).getByRole('button', { name: 'none' }).click();
    await expect.poll(async () => (await sim.getImage(REGION, own.id)).labelColor).toBeUndefined();
    await con.page.getByRole('button', { name: 'Label colour of my-renamed-image: none' }).click();
    await con.page.getByRole('group', { name: 'Label colours' }).getByRole('button', { name: 'blue' }).click();
    await expect.poll(async () => (await sim.getImage(REGION, own.id)).labelColor).toBe('blue');
    // Public images are the cloud's: no palette, no rename.
    expect(
      await row(UBUNTU.name)
        .getByRole('button', { name: /Label colour/ })
        .count(),
    ).toBe(0);
    expect(await row(UBUNTU.name).getByRole('button', { name: UBUNTU.name, exact: true }).count()).toBe(0);
    await con.screenshot('images');
  });

  it('clones a public image from its menu: 202, and the clone operation exists in Temporal', async () => {
    await con.page.getByRole('button', { name: `Actions for ${UBUNTU.name}` }).click();
    expect(await con.page.getByRole('menu').getByRole('menuitem').allTextContents()).toEqual(['Launch', 'Clone']);
    await con.page.getByRole('menuitem', { name: 'Clone' }).click();
    const dialog = con.page.getByRole('dialog', { name: `Clone ${UBUNTU.name}` });
    await dialog.getByLabel('New image name').fill('ubuntu-clone');
    const answer = con.page.waitForResponse((r) => r.url().endsWith(`/v1/images/${UBUNTU.id}/clone`));
    await dialog.getByRole('button', { name: 'Clone' }).click();
    const response = await answer;
    expect(response.status()).toBe(202);
    const { id } = (await response.json()) as { id: string };
    expect(response.request().postDataJSON()).toEqual({ region: REGION, name: 'ubuntu-clone' });
    const described = await con.api.temporal.client.workflow.getHandle(id).describe();
    expect(described.type).toBe('cloneTemplate');
    await expect.poll(() => con.page.getByRole('status').textContent()).toContain(id);
    expect(await dialog.count()).toBe(0);
  });

  it('deprecates an own image, and shows the API’s refusal to delete it while a server runs from it', async () => {
    await con.page.getByRole('button', { name: 'Actions for my-renamed-image' }).click();
    await con.page.getByRole('menuitem', { name: 'Deprecate' }).click();
    await expect.poll(async () => (await sim.getImage(REGION, own.id)).state).toBe('deprecated');
    await expect
      .poll(() => con.page.getByRole('button', { name: 'my-renamed-image', exact: true }).getAttribute('class'))
      .toContain('deprecated');

    const user = await launchServer(own.id, 'user-of-my-image');
    await con.page.getByRole('button', { name: 'Actions for my-renamed-image' }).click();
    await con.page.getByRole('menuitem', { name: 'Delete' }).click();
    const dialog = con.page.getByRole('dialog', { name: 'Delete my-renamed-image?' });
    await dialog.getByRole('button', { name: 'Delete image' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain(`is in use: server ${user.id}`);
    expect((await sim.getImage(REGION, own.id)).id).toBe(own.id);

    await sim.terminateServer(REGION, user.id);
    await dialog.getByRole('button', { name: 'Delete image' }).click();
    await expect.poll(() => con.page.getByRole('status').textContent()).toContain(`delete-image-${own.id}`);
    expect(await row('my-renamed-image').count()).toBe(0);
    await expect
      .poll(
        () =>
          sim.getImage(REGION, own.id).then(
            () => 'still there',
            () => 'gone',
          ),
        { timeout: 20_000 },
      )
      .toBe('gone');
  });

  it('paints 1,000 own images at once', async () => {
    for (let i = 1; i <= 1000; i += 1)
      await sim.captureImage(REGION, {
        serverId,
        name: `bulk-${String(i).padStart(4, '0')}`,
        reboot: false,
        tags: { group: 'ops' },
      });
    // Made behind the API's back: its 30-second catalog cache would not know them yet.
    con.api.app.deps.images.invalidate();
    await con.page.goto('about:blank');
    await con.page.goto(`${con.url}/#/images?scope=own&limit=1000&q=bulk-`);
    // Checked in the page before every frame: the frame after the one that first held 1,000 rows has painted them.
    // performance.now() counts from the start of the navigation.
    const painted = await con.page.waitForFunction(
      () => {
        const seen = globalThis as { rowsSeen?: boolean };
        if (seen.rowsSeen) return performance.now();
        seen.rowsSeen = document.querySelectorAll('table.images tbody tr').length >= 1000;
        return false;
      },
      null,
      { polling: 'raf', timeout: 15_000 },
    );
    const ms = Math.round((await painted.jsonValue()) as number);
    // When the listing's answer arrived, to tell the API's share from the browser's.
    const answered = await con.page.evaluate(() =>
      Math.round(
        Math.max(
          ...performance
            .getEntriesByType('resource')
            .filter((e) => e.name.includes('/v1/images?'))
            .map((e) => (e as unknown as { responseEnd: number }).responseEnd),
        ),
      ),
    );
    console.log(`images page: 1000 rows painted in ${ms} ms (the listing answered at ${answered} ms)`);
    const rows = con.page.locator('table.images tbody tr');
    expect(await rows.count()).toBe(1000);
    await rows.nth(999).scrollIntoViewIfNeeded();
    expect(await rows.nth(999).isVisible()).toBe(true);
    expect(await con.page.getByRole('button', { name: 'More' }).count()).toBe(0);
    // The target is 1 s locally; the bound is on the browser's share (the API's answer varies with the machine's load).
    expect(ms - answered).toBeLessThan(2000);
  }, 120_000);
});
