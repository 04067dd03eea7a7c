import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimProvider } from '../../providers/sim/sim-provider';
import { startConsole } from '../support/browser';

const REGION = 'sim-east-1';
const UBUNTU = 'ubuntu-22.04-x86_64-20260505';

// The original platform's own workflow, end to end in a real browser as an operator of group `ops`: launch a server
// from a provided image, capture the running server from the Servers page, then launch from the captured image;
// then stop, start, reboot and terminate from the same page. What each step did is read back from the sim itself.
describe('console servers page', () => {
  let con: Awaited<ReturnType<typeof startConsole>>;
  let sim: SimProvider;

  beforeAll(async () => {
    con = await startConsole();
    sim = con.api.temporal.provider as SimProvider;
    await con.signIn(con.api.keys.operator);
  }, 60_000);
  afterAll(async () => con?.stop());

  /** Launches from the image's row on the Images page and waits until the launch has completed; its server. */
  async function launchFrom(imageName: string, scope: 'public' | 'own', serverName: string) {
    await con.page.goto(`${con.url}/#/images?scope=${scope}&q=${imageName}`);
    await con.page.getByRole('button', { name: `Actions for ${imageName}` }).click();
    await con.page.getByRole('menuitem', { name: 'Launch' }).click();
    const dialog = con.page.getByRole('dialog', { name: `Launch from ${imageName}` });
    await dialog
      .getByLabel('Product', { exact: true })
      .locator('option[value="m1.small"]')
      .waitFor({ state: 'attached' });
    await dialog.getByLabel('Server name').fill(serverName);
    await dialog.getByLabel('Product', { exact: true }).selectOption('m1.small');
    await dialog.getByLabel('Group').fill('ops');
    await dialog.getByLabel('Billing code').fill('ops-7');
    await dialog.getByRole('button', { name: 'Launch' }).click();
    await con.page.waitForURL(/#\/launches\/launch-/);
    const id = decodeURIComponent(new URL(con.page.url()).hash.replace('#/launches/', ''));
    const view = async () => (await con.api.app.inject({ method: 'GET', url: `/v1/launches/${id}` })).json();
    await expect.poll(async () => (await view()).status, { timeout: 60_000 }).toBe('completed');
    return { launchId: id, server: (await view()).server as { id: string } };
  }

  const row = (serverId: string) => con.page.locator(`table.servers tr[data-server-id="${serverId}"]`);

  /** Chooses the row's action, and waits until the page says the operation it started is done. */
  async function act(serverId: string, serverName: string, action: string) {
    await row(serverId)
      .getByRole('button', { name: `Actions for ${serverName}` })
      .click();
    await con.page.getByRole('menuitem', { name: action }).click();
  }
  const done = (serverName: string, doing: string) =>
    con.page
      .getByRole('status')
      .filter({ hasText: `${serverName}: ${doing} done` })
      .waitFor({ timeout: 60_000 });

  it('launches from a provided image, captures the server from the Servers page, and launches from the capture', async () => {
    const first = await launchFrom(UBUNTU, 'public', 'web-seed');

    await con.page.goto(`${con.url}/#/servers`);
    const listed = row(first.server.id);
    await listed.waitFor();
    expect(await listed.locator('td').nth(1).textContent()).toBe('running');
    // The launch that made it, linked; whom it is charged to.
    expect(await listed.locator(`a[href="#/launches/${first.launchId}"]`).getAttribute('title')).toBe(first.launchId);
    expect(await listed.locator('td').nth(4).textContent()).toBe('ops');
    expect(await listed.locator('td').nth(5).textContent()).toBe('ops-7');

    await act(first.server.id, 'web-seed', 'Capture image');
    const dialog = con.page.getByRole('dialog', { name: 'Capture an image of web-seed' });
    await dialog.getByLabel('Image name').fill('web-golden');
    await dialog.getByRole('button', { name: 'Capture' }).click();
    await done('web-seed', 'capturing web-golden');
    const captured = (await sim.listImages(REGION)).items.find((image) => image.name === 'web-golden');
    expect(captured).toMatchObject({ state: 'available' });

    const second = await launchFrom('web-golden', 'own', 'web-from-golden');
    expect((await sim.getServer(REGION, second.server.id)).imageId).toBe(captured!.id);
  }, 240_000);

  it('stops, starts, reboots and terminates a server from its row, each followed until it is done', async () => {
    const { server } = await launchFrom(UBUNTU, 'public', 'web-power');
    await con.page.goto(`${con.url}/#/servers`);
    await row(server.id).waitFor();

    await act(server.id, 'web-power', 'Stop');
    await done('web-power', 'stopping');
    expect((await sim.getServer(REGION, server.id)).state).toBe('stopped');
    await expect.poll(() => row(server.id).locator('td').nth(1).textContent()).toBe('stopped');
    // A stopped server offers Start, not Stop or Reboot.
    await row(server.id).getByRole('button', { name: 'Actions for web-power' }).click();
    expect(await con.page.getByRole('menuitem').allTextContents()).toEqual(['Start', 'Capture image', 'Terminate']);
    await con.page.keyboard.press('Escape');

    await act(server.id, 'web-power', 'Start');
    await done('web-power', 'starting');
    expect((await sim.getServer(REGION, server.id)).state).toBe('running');

    await act(server.id, 'web-power', 'Reboot');
    await done('web-power', 'rebooting');
    expect(await sim.statusChecks(REGION, server.id)).toBe('ok');
    await con.screenshot('servers');

    await act(server.id, 'web-power', 'Terminate');
    const confirm = con.page.getByRole('dialog', { name: 'Terminate web-power?' });
    await confirm.getByRole('button', { name: 'Terminate server' }).click();
    await done('web-power', 'terminating');
    expect((await sim.getServer(REGION, server.id)).state).toBe('terminated');
  }, 240_000);
});
