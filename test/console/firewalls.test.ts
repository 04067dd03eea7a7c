import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimProvider } from '../../providers/sim/sim-provider';
import { startConsole } from '../support/browser';
import { LAUNCH_BODY } from '../support/launches';

const REGION = 'sim-east-1';

// The Firewalls page in a real browser, as an operator of group `ops`: create a firewall with a rule, add one, remove
// one, and delete it: refused while a server is in it (the page says which), done once the server is gone. What
// each step did is read back from the sim.
describe('console firewalls page', () => {
  let con: Awaited<ReturnType<typeof startConsole>>;
  let sim: SimProvider;

  beforeAll(async () => {
    con = await startConsole();
    sim = con.api.temporal.provider as SimProvider;
    await con.signIn(con.api.keys.operator);
  }, 60_000);
  afterAll(async () => con?.stop());

  const stored = async (name: string) => (await sim.listFirewalls(REGION)).find((f) => f.name === name);

  it('creates a firewall, adds and removes rules, and deletes it once no server is in it', async () => {
    const page = con.page;
    await page.goto(`${con.url}/#/firewalls`);
    await page.getByRole('button', { name: 'Create firewall' }).click();
    const create = page.getByRole('dialog', { name: `New firewall in ${REGION}` });
    await create.getByLabel('Name').fill('web-tier');
    await create.getByLabel('From addresses (CIDR)').fill('203.0.113.0/33');
    await create.getByRole('button', { name: 'Create firewall' }).click();
    // The API's refusal lands beside the field it names.
    await expect.poll(() => create.getByRole('alert').first().textContent()).toMatch(/IPv4 CIDR/);
    await create.getByLabel('From addresses (CIDR)').fill('203.0.113.0/24');
    await create.getByRole('button', { name: 'Create firewall' }).click();
    await page.getByRole('status').filter({ hasText: 'Created web-tier' }).waitFor();
    const firewall = (await stored('web-tier'))!;
    expect(firewall).toMatchObject({
      rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.0/24' }],
      tags: { group: 'ops' },
    });

    const row = page.locator(`table.firewalls tr[data-firewall-id="${firewall.id}"]`);
    await row.getByRole('button', { name: 'Actions for web-tier' }).click();
    await page.getByRole('menuitem', { name: 'Add rule' }).click();
    const add = page.getByRole('dialog', { name: 'Add a rule to web-tier' });
    await add.getByLabel('From port').fill('443');
    await add.getByLabel('To port').fill('443');
    await add.getByLabel('From addresses (CIDR)').fill('2001:db8::/32');
    await add.getByRole('button', { name: 'Add rule' }).click();
    await row.getByText('tcp 443 from 2001:db8::/32').waitFor();
    expect((await stored('web-tier'))!.rules).toHaveLength(2);
    await con.screenshot('firewalls');

    await row.getByRole('button', { name: 'Remove tcp 22 from 203.0.113.0/24 from web-tier' }).click();
    await page.getByRole('status').filter({ hasText: 'removed tcp 22 from 203.0.113.0/24' }).waitFor();
    expect((await stored('web-tier'))!.rules).toEqual([
      { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '2001:db8::/32' },
    ]);

    const server = await sim.launchServer(REGION, {
      imageId: LAUNCH_BODY.imageId,
      productId: 'm1.small',
      name: 'web-behind',
      firewallIds: [firewall.id],
      tags: { group: 'ops' },
      clientToken: randomUUID(),
    });
    await row.getByRole('button', { name: 'Actions for web-tier' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete web-tier?' });
    await confirm.getByRole('button', { name: 'Delete firewall' }).click();
    await expect.poll(() => confirm.getByRole('alert').textContent()).toContain(`${server.id} (web-behind, `);
    await confirm.getByRole('button', { name: 'Cancel' }).click();

    await sim.terminateServer(REGION, server.id);
    await row.getByRole('button', { name: 'Actions for web-tier' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: 'Delete web-tier?' })
      .getByRole('button', { name: 'Delete firewall' })
      .click();
    await page.getByRole('status').filter({ hasText: 'Deleted web-tier' }).waitFor();
    expect(await stored('web-tier')).toBeUndefined();
    await row.waitFor({ state: 'detached' });
  }, 120_000);
});
