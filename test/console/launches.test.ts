import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaunchRequestInput } from '../../domain/launch-request';
import type { SimProvider } from '../../providers/sim/sim-provider';
import { startConsole } from '../support/browser';
import { LAUNCH_BODY, expectNothingLeft } from '../support/launches';

// The Launches page in a real browser: an operator following launches, cancelling one, and taking a key once.
describe('console launches page', () => {
  let con: Awaited<ReturnType<typeof startConsole>>;
  let sim: SimProvider;
  beforeAll(async () => {
    con = await startConsole();
    sim = con.api.temporal.provider as SimProvider;
    await con.signIn(con.api.keys.operator);
  }, 60_000);
  afterAll(async () => con?.stop());

  async function launch(overrides: Partial<LaunchRequestInput>): Promise<string> {
    const res = await con.api.app.inject({
      method: 'POST',
      url: '/v1/launches',
      payload: { ...LAUNCH_BODY, ...overrides },
    });
    expect(res.statusCode, res.body).toBe(202);
    return res.json().id as string;
  }
  const status = () => con.page.getByRole('status').filter({ hasText: /^Status:/ });
  /** Each step's row: name, state, duration, detail. */
  const steps = () =>
    con.page
      .locator('table.launch-steps tbody tr')
      .evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent ?? '')));

  it('follows a launch waiting for readiness, cancels it, and it ends cancelled with nothing left', async () => {
    sim.faults.script({ operation: 'statusChecks', match: { serverName: 'stuck-ui' }, impaired: true });
    const id = await launch({ name: 'stuck-ui' });
    await con.page.goto(`${con.url}/#/launches/${id}`);
    await con.page.getByRole('heading', { name: 'stuck-ui' }).waitFor();
    await expect.poll(() => status().textContent(), { timeout: 20_000 }).toBe('Status: running — step wait-ready');
    await expect
      .poll(() => con.page.getByText(/^Waiting for: status checks of server i-\w+ are impaired/).count(), {
        timeout: 20_000,
      })
      .toBe(1);
    // The launch's one deadline, readyTimeout (20 minutes by default) after provisioning began.
    expect(await con.page.locator('dl.facts div', { hasText: 'Ready by' }).locator('dd').textContent()).toMatch(
      /\((19|20) min left\)$/,
    );
    const running = await steps();
    expect(running.map(([name]) => name)).toEqual(
      expect.arrayContaining(['preflight', 'provision', 'wait-running', 'wait-ready']),
    );
    expect(running.find(([name]) => name === 'wait-ready')?.slice(1, 3)).toEqual([
      'running',
      expect.stringMatching(/so far$/),
    ]);

    await con.page.getByRole('button', { name: 'Cancel launch' }).click();
    await expect.poll(() => status().textContent(), { timeout: 30_000 }).toBe('Status: cancelled');
    expect(await con.page.getByRole('button', { name: 'Cancel launch' }).count()).toBe(0);
    await expectNothingLeft(sim, id);
  });

  it('shows a launch chosen from the list live until it completes: steps with durations, the server, the Web UI link', async () => {
    sim.faults.script({ operation: 'statusChecks', match: { serverName: 'slow-ui' }, impaired: true });
    const id = await launch({ name: 'slow-ui' });
    await con.page.goto(`${con.url}/#/launches`);
    // The list reads Temporal's visibility store, which may lag the start by a moment.
    const link = con.page.getByRole('link', { name: id });
    await expect
      .poll(
        async () => {
          await con.page.getByRole('button', { name: 'Refresh' }).click();
          return link.count();
        },
        { timeout: 15_000 },
      )
      .toBe(1);
    await link.focus();
    await con.page.keyboard.press('Enter');
    await con.page.getByRole('heading', { name: 'slow-ui' }).waitFor();
    expect(new URL(con.page.url()).hash).toBe(`#/launches/${id}`);
    await expect.poll(() => status().textContent(), { timeout: 20_000 }).toBe('Status: running — step wait-ready');

    // The server passes its checks from now on: the page must notice by itself, without a reload.
    sim.faults.clear();
    await expect.poll(() => status().textContent(), { timeout: 30_000 }).toBe('Status: completed');
    const done = await steps();
    expect(done.find(([name]) => name === 'wait-ready')?.[1]).toBe('completed');
    for (const [name, state, duration] of done.filter(([, state]) => state === 'completed')) {
      expect(duration, `${name} ${state}`).toMatch(/^\d+(\.\d)? (ms|s)$|^\d+ min \d\d s$/);
    }
    const view = (await con.api.app.inject({ method: 'GET', url: `/v1/launches/${id}` })).json();
    const facts = await con.page.locator('.launch-detail dl').textContent();
    expect(facts).toContain(view.server.id);
    expect(facts).toContain(view.server.publicIp);
    expect(await con.page.getByRole('link', { name: 'Open in Temporal Web UI' }).getAttribute('href')).toBe(
      `http://temporal-ui.test/namespaces/default/workflows/${id}`,
    );
    await expect
      .poll(
        async () => {
          await con.page.getByRole('button', { name: 'Refresh' }).click();
          return con.page.getByRole('row').filter({ has: link }).textContent();
        },
        { timeout: 15_000 },
      )
      .toMatch(/completed.*ops.*ops-7/);
    await con.screenshot('launches');
  });

  it('offers the private key of a key pair the launch created once, as a PEM file, and then says it was handed out', async () => {
    const id = await launch({ name: 'key-ui', keypair: { create: {} } });
    await con.page.goto(`${con.url}/#/launches/${id}`);
    await expect.poll(() => status().textContent(), { timeout: 30_000 }).toBe('Status: completed');
    const [download] = await Promise.all([
      con.page.waitForEvent('download'),
      con.page.getByRole('button', { name: 'Download private key' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`mi-${id}.pem`);
    expect(readFileSync(await download.path(), 'utf8')).toMatch(
      /^-----BEGIN [A-Z ]*PRIVATE KEY-----\n[\s\S]+-----END [A-Z ]*PRIVATE KEY-----\s*$/,
    );
    await con.page.getByText(`The private key was handed out as mi-${id}.pem`).waitFor();
    expect(await con.page.getByRole('button', { name: 'Download private key' }).count()).toBe(0);

    // Another visit is not offered it: the service says it is no longer there to give.
    await con.page.reload();
    await con.page.getByText('The private key was already handed out').waitFor();
    expect(await con.page.getByRole('button', { name: 'Download private key' }).count()).toBe(0);
    expect((await con.api.app.inject({ method: 'GET', url: `/v1/launches/${id}/private-key` })).statusCode).toBe(410);
  });
});
