import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineImage } from '../../domain/image';
import { SimProvider } from '../../providers/sim/sim-provider';
import { startConsole } from '../support/browser';

const REGION = 'sim-east-1';
const UBUNTU = 'ubuntu-22.04-x86_64-20260505';

// The console against a cloud that can do less than the sim: no block encryption, one kind of disk, at most two
// volumes a server, IPv4-only firewalls, no image labels or deprecation. What it cannot do is not offered, and
// each missing option says why.
describe('console on a cloud with fewer capabilities', () => {
  let con: Awaited<ReturnType<typeof startConsole>>;
  let sim: SimProvider;
  const launchPosts: string[] = [];
  let image: MachineImage;

  beforeAll(async () => {
    sim = new SimProvider({
      capabilities: {
        blockEncryption: false,
        volumeTypes: undefined,
        maxVolumesPerServer: 2,
        ipv6Firewall: false,
        labels: false,
        deprecation: false,
      },
    });
    con = await startConsole({ provider: sim });
    // Made before the first listing: the API caches the cloud's list of own images for up to 30 s.
    const server = await sim.launchServer(REGION, {
      imageId: 'img-simeast1-0003',
      productId: 'm1.small',
      name: 'x',
      tags: { group: 'ops' },
      clientToken: 'capabilities-test',
    });
    image = await sim.captureImage(REGION, {
      serverId: server.id,
      name: 'no-frills-image',
      reboot: false,
      tags: { group: 'ops' },
    });
    con.page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/v1/launches')
        launchPosts.push(request.url());
    });
    await con.signIn(con.api.keys.operator);
  }, 60_000);
  afterAll(async () => con?.stop());

  async function openLaunchDialog() {
    await con.page.goto(`${con.url}/#/images?scope=public&q=${UBUNTU}`);
    await con.page.getByRole('button', { name: `Actions for ${UBUNTU}` }).click();
    await con.page.getByRole('menuitem', { name: 'Launch' }).click();
    const dialog = con.page.getByRole('dialog', { name: `Launch from ${UBUNTU}` });
    await dialog
      .getByLabel('Product', { exact: true })
      .locator('option[value="m1.small"]')
      .waitFor({ state: 'attached' });
    return dialog;
  }

  it('leaves out block encryption and disk types, limits the disks, and says why', async () => {
    const dialog = await openLaunchDialog();
    await dialog.getByLabel('Server name').fill('db-small-cloud');
    await dialog.getByLabel('Add data volumes').check();
    await dialog.getByText('This cloud does not encrypt volumes: encrypt them in the guest (LUKS) instead.').waitFor();
    expect(await dialog.getByLabel('Encrypt in the cloud (block encryption)').count()).toBe(0);
    expect(await dialog.getByLabel('Encrypt in the guest (LUKS)').count()).toBe(1);
    expect(await dialog.getByLabel('Disk type').count()).toBe(0);
    expect(await dialog.getByText('This cloud has one kind of disk: there is no disk type to choose.').count()).toBe(1);

    const disks = dialog.getByLabel('Disks');
    expect(await disks.getAttribute('max')).toBe('2');
    const limit = dialog.getByText('This cloud attaches at most 2 volumes to one server: use fewer, larger disks.');
    expect(await limit.count()).toBe(0);
    await disks.fill('2');
    await limit.waitFor();

    // Past the limit, the form says so beside the field and sends nothing.
    await disks.fill('3');
    await dialog.getByLabel('RAID level').selectOption('raid5');
    await dialog.getByLabel('Group').fill('ops');
    await dialog.getByLabel('Billing code').fill('ops-7');
    await dialog.getByRole('button', { name: 'Launch' }).click();
    await expect.poll(() => disks.getAttribute('aria-invalid')).toBe('true');
    expect(await con.page.locator(`#${await disks.getAttribute('aria-describedby')}`).textContent()).toBe(
      'this cloud attaches at most 2 volumes to one server; use fewer, larger disks',
    );
    expect(launchPosts).toHaveLength(0);
    await con.screenshot('launch-dialog-fewer-capabilities');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('takes IPv4 firewall sources only, and says so', async () => {
    const dialog = await openLaunchDialog();
    await dialog.getByLabel('Server name').fill('web-small-cloud');
    await dialog.getByLabel('New firewall with rules').check();
    await dialog.getByText('This cloud’s firewalls take IPv4 sources only.').waitFor();
    await dialog.getByRole('button', { name: 'Add rule' }).click();
    const cidr = dialog.getByRole('group', { name: 'Rule 1' }).getByLabel('From addresses (CIDR)');
    await cidr.fill('2001:db8::/32');
    await dialog.getByLabel('Group').fill('ops');
    await dialog.getByLabel('Billing code').fill('ops-7');
    await dialog.getByRole('button', { name: 'Launch' }).click();
    await expect.poll(() => cidr.getAttribute('aria-invalid')).toBe('true');
    expect(await con.page.locator(`#${await cidr.getAttribute('aria-describedby')}`).textContent()).toBe(
      'this cloud’s firewalls take IPv4 sources only; give an IPv4 CIDR',
    );
    expect(launchPosts).toHaveLength(0);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('shows Deprecate and the label colour unavailable on an own image, with the reason', async () => {
    await con.page.goto(`${con.url}/#/images?scope=own&q=no-frills-image`);
    const swatch = con.page.getByRole('button', { name: 'Label colour of no-frills-image: none' });
    await swatch.waitFor();
    expect(await swatch.getAttribute('aria-disabled')).toBe('true');
    expect(await swatch.getAttribute('title')).toBe('This cloud does not label images');
    await swatch.click({ force: true }); // aria-disabled: Playwright would wait for it to be enabled
    expect(await con.page.getByRole('group', { name: 'Label colours' }).count()).toBe(0);

    await con.page.getByRole('button', { name: 'Actions for no-frills-image' }).click();
    const deprecate = con.page.getByRole('menuitem', { name: 'Deprecate' });
    expect(await deprecate.getAttribute('aria-disabled')).toBe('true');
    expect(await deprecate.getAttribute('title')).toBe('This cloud does not deprecate images: delete old ones instead');
    expect(await con.page.getByRole('menuitem', { name: 'Launch' }).getAttribute('aria-disabled')).toBeNull();
    await deprecate.click({ force: true });
    // Still listed, so still open; nothing was asked of the cloud.
    expect(await con.page.getByRole('menu', { name: 'Actions for no-frills-image' }).count()).toBe(1);
    expect((await sim.getImage(REGION, image.id)).state).not.toBe('deprecated');
  });
});
