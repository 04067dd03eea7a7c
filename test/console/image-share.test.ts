import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineImage } from '../../domain/image';
import { SimProvider } from '../../providers/sim/sim-provider';
import { startConsole } from '../support/browser';

const REGION = 'sim-east-1';

// The Share dialog in a real browser against the real API; what it changes is read back from the sim itself.
// A second account over the same simulated cloud shares an image with ours, for the "Shared with us" listing.
describe('console image sharing', () => {
  let con: Awaited<ReturnType<typeof startConsole>>;
  let sim: SimProvider;
  let partner: SimProvider;
  let dir: string;
  let own: MachineImage;
  let theirs: MachineImage;
  const row = (name: string) =>
    con.page.locator('table.images tbody tr').filter({ has: con.page.getByText(name, { exact: true }) });

  async function capture(cloud: SimProvider, name: string, group: string): Promise<MachineImage> {
    const ubuntu = (await cloud.searchPublicImages(REGION, { q: 'ubuntu-24.04-x86_64', limit: 1 })).items[0]!;
    const server = await cloud.launchServer(REGION, {
      imageId: ubuntu.id,
      productId: 'm1.small',
      name: `src-${name}`,
      clientToken: randomUUID(),
    });
    return cloud.captureImage(REGION, { serverId: server.id, name, reboot: false, tags: { group } });
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'console-share-'));
    const dbFile = path.join(dir, 'sim-cloud.db');
    sim = new SimProvider({ dbFile });
    partner = new SimProvider({ dbFile, account: 'partner-account' });
    con = await startConsole({ provider: sim });
    own = await capture(sim, 'web-base-2026-06', 'ops');
    theirs = await capture(partner, 'partner-golden-2026-06', 'partner-team');
    await partner.shareImage(REGION, theirs.id, { accounts: ['sim-account'] });
    await con.signIn();
  }, 60_000);
  afterAll(async () => {
    await con?.stop();
    partner?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function openShare(page = con.page): Promise<void> {
    const line = page.locator('table.images tbody tr').filter({ has: page.getByText(own.name, { exact: true }) });
    await line.getByRole('button', { name: `Actions for ${own.name}` }).click();
    await page.getByRole('menuitem', { name: 'Share' }).click();
    await page
      .getByRole('dialog', { name: `Share ${own.name}` })
      .getByText('Shared with')
      .waitFor();
  }

  it('shares an own image with accounts, makes it public as an admin, and revokes', async () => {
    await row(own.name).waitFor();
    await openShare();
    const dialog = con.page.getByRole('dialog', { name: `Share ${own.name}` });
    await dialog.getByText('No other account may launch this image.').waitFor();
    await dialog.getByLabel('Add accounts').fill('partner-account, audit-account');
    await dialog.getByRole('button', { name: 'Share', exact: true }).click();
    await dialog.getByRole('button', { name: 'Revoke partner-account' }).waitFor();
    expect(await sim.listImageShares(REGION, own.id)).toEqual({
      accounts: ['audit-account', 'partner-account'],
      public: false,
    });

    await dialog.getByRole('button', { name: 'Make public' }).click();
    await dialog.getByText('Everyone (public)').waitFor();
    expect((await sim.listImageShares(REGION, own.id)).public).toBe(true);
    await con.screenshot('image-share');

    await dialog.getByRole('button', { name: 'Revoke audit-account' }).click();
    await expect.poll(async () => (await sim.listImageShares(REGION, own.id)).accounts).toEqual(['partner-account']);
    await dialog.getByRole('button', { name: 'Make private' }).click();
    await dialog.getByRole('button', { name: 'Make public' }).waitFor();
    expect(await sim.listImageShares(REGION, own.id)).toEqual({ accounts: ['partner-account'], public: false });
  });

  it('shows the API’s refusal of an account id beside the field', async () => {
    await con.page.goto(`${con.url}/#/images`);
    await con.page.reload();
    await openShare();
    const dialog = con.page.getByRole('dialog', { name: `Share ${own.name}` });
    await dialog.getByLabel('Add accounts').fill('audit-account Not_An_Account');
    await dialog.getByRole('button', { name: 'Share', exact: true }).click();
    await dialog.getByText('"Not_An_Account" is not an account id of sim', { exact: false }).waitFor();
    expect((await sim.listImageShares(REGION, own.id)).accounts).toEqual(['partner-account']);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('tells an operator why there is no Make public', async () => {
    const page = await con.browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await con.signIn(con.api.keys.operator, page);
      await openShare(page);
      const dialog = page.getByRole('dialog', { name: `Share ${own.name}` });
      await dialog.getByText('only an admin may; you are an operator', { exact: false }).waitFor();
      expect(await dialog.getByRole('button', { name: 'Make public' }).count()).toBe(0);
      await dialog.getByRole('button', { name: 'Revoke partner-account' }).click();
      await expect.poll(async () => (await sim.listImageShares(REGION, own.id)).accounts).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('lists another account’s image shared with ours under Shared with us, to launch or clone only', async () => {
    await con.page.goto(`${con.url}/#/images?scope=shared&limit=50`);
    await con.page.reload();
    await row(theirs.name).waitFor();
    await row(theirs.name)
      .getByRole('button', { name: `Actions for ${theirs.name}` })
      .click();
    const items = await con.page.getByRole('menuitem').allTextContents();
    expect(items).toEqual(['Launch', 'Clone']);
    expect(await con.page.locator('table.images tbody tr').count()).toBe(1);
  });
});
