import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimProvider } from '../../providers/sim/sim-provider';
import { startConsole } from '../support/browser';
import { launchRequest, startLaunch } from '../support/launches';
import { ed25519PublicKey, rsaPublicKey } from '../support/ssh-public-keys';

const REGION = 'sim-east-1';

// The Key pairs page in a real browser, as an operator of group `ops`: create one and keep its private key (the one
// time it is shown), import a public key (a weak one refused beside the field), and delete one, refused while a
// server uses it. What each step did is read back from the sim itself.
describe('console key pairs page', () => {
  let con: Awaited<ReturnType<typeof startConsole>>;
  let sim: SimProvider;

  beforeAll(async () => {
    con = await startConsole();
    sim = con.api.temporal.provider as SimProvider;
    await con.page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await con.signIn(con.api.keys.operator);
    await con.page.goto(`${con.url}/#/keypairs`);
    await con.page.getByRole('heading', { name: 'Key pairs' }).waitFor();
  }, 60_000);
  afterAll(async () => con?.stop());

  const row = (name: string) => con.page.locator(`table.keypairs tr[data-keypair="${REGION}/${name}"]`);

  it('creates a key pair and hands out its private key once, as a file or on the clipboard', async () => {
    await con.page.getByRole('button', { name: 'Create key pair' }).click();
    const dialog = con.page.getByRole('dialog', { name: `Create a key pair in ${REGION}` });
    await dialog.getByLabel('Key pair name').fill('console-made');
    await dialog.getByRole('button', { name: 'Create' }).click();

    const [download] = await Promise.all([
      con.page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Download private key' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('console-made.pem');
    const pem = readFileSync(await download.path(), 'utf8');
    expect(pem).toMatch(/^-----BEGIN [A-Z ]*PRIVATE KEY-----\n[\s\S]+-----END [A-Z ]*PRIVATE KEY-----\s*$/);
    await dialog.getByText('The private key was handed out as console-made.pem').waitFor();
    await dialog.getByRole('button', { name: 'Copy private key' }).click();
    await dialog.getByText('The private key is on the clipboard').waitFor();
    expect(await con.page.evaluate('navigator.clipboard.readText()')).toBe(pem);
    await dialog.getByRole('button', { name: 'Close' }).click();

    await row('console-made').waitFor();
    expect(await row('console-made').locator('td').nth(3).textContent()).toBe('ops');
    expect((await sim.listKeypairs(REGION)).find((k) => k.name === 'console-made')?.tags.group).toBe('ops');
    // Nowhere to be had again: the list carries public halves only.
    const listed = await con.api.app.inject({ method: 'GET', url: `/v1/keypairs?region=${REGION}` });
    expect(listed.body).not.toContain('PRIVATE');
  });

  it('imports a pasted public key, refusing a weak one beside the field', async () => {
    await con.page.getByRole('button', { name: 'Import public key' }).click();
    const dialog = con.page.getByRole('dialog', { name: `Import a key pair into ${REGION}` });
    await dialog.getByLabel('Key pair name').fill('console-imported');
    await dialog.getByLabel('Public key').fill(rsaPublicKey(1024));
    await dialog.getByRole('button', { name: 'Import' }).click();
    await expect
      .poll(() => dialog.locator('#keypair-public-key-error').textContent())
      .toContain('an RSA key of 1024 bits is too weak');
    expect(await dialog.getByLabel('Public key').getAttribute('aria-invalid')).toBe('true');

    await dialog.getByLabel('Public key').fill(ed25519PublicKey('me@laptop'));
    await dialog.getByRole('button', { name: 'Import' }).click();
    await dialog.waitFor({ state: 'detached' });
    await con.page.getByRole('status').filter({ hasText: 'Key pair console-imported imported' }).waitFor();
    await row('console-imported').waitFor();
    expect((await sim.listKeypairs(REGION)).map((k) => k.name)).toContain('console-imported');
    await con.screenshot('keypairs');
  });

  it('refuses to delete a key pair a server uses, saying which, and deletes it once the server is gone', async () => {
    const launched = await startLaunch(
      con.api.temporal.client,
      con.api.temporal.config.TEMPORAL_TASK_QUEUE,
      launchRequest({ name: 'uses-key', keypair: { name: 'console-made' } }),
    );
    const { server } = await launched.result();

    const remove = async () => {
      await row('console-made').getByRole('button', { name: 'Actions for console-made' }).click();
      await con.page.getByRole('menuitem', { name: 'Delete' }).click();
      const dialog = con.page.getByRole('dialog', { name: 'Delete key pair console-made?' });
      await dialog.getByRole('button', { name: 'Delete key pair' }).click();
      return dialog;
    };
    const refused = await remove();
    await refused
      .getByRole('alert')
      .filter({ hasText: `is used by ${server.id} (uses-key, running); terminate it first` })
      .waitFor();
    await refused.getByRole('button', { name: 'Cancel' }).click();
    expect((await sim.listKeypairs(REGION)).map((k) => k.name)).toContain('console-made');

    await sim.terminateServer(REGION, server.id);
    const accepted = await remove();
    await accepted.waitFor({ state: 'detached' });
    await con.page.getByRole('status').filter({ hasText: 'Key pair console-made deleted' }).waitFor();
    await row('console-made').waitFor({ state: 'detached' });
    expect((await sim.listKeypairs(REGION)).map((k) => k.name)).not.toContain('console-made');
  }, 120_000);
});
