import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../../config/paths';
import { CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS } from '../support/browser';
import { freePort } from '../support/free-port';
import { isAlive, processesMentioning, waitUntil } from '../support/processes';

// The whole path an operator takes after `npm start`: the API serves the dev server's Web UI under its own origin
// (/temporal), so signing in to the console is all it takes for the Web UI to show a launch's payloads decoded; no
// setting in the Web UI, no error banner. Signed out, the same page shows the payloads encrypted, and still no banner.
const BANNER = /codec server could not connect/i;
const DECODED_INPUT = '"imageId": "img-simeast1-0003"';
const SUMMARY = /launch web-ui-1 from img-simeast1-0003 on m1\.small, server i-\w+/;

describe('the Temporal Web UI under npm start', { timeout: 180_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'machine-images-webui-'));
  let child: ChildProcess | undefined;
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
    if (child?.pid && isAlive(child.pid)) process.kill(-child.pid, 'SIGINT');
    await waitUntil(() => processesMentioning(dataDir).length === 0, 30_000, 'npm start to stop').catch(() => {
      for (const pid of processesMentioning(dataDir)) process.kill(pid, 'SIGKILL');
    });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows a signed-in admin the launch decoded from the console’s link, lists launches by image and billing code, and shows anyone else ciphertext', async () => {
    const ports = { PORT: await freePort(), TEMPORAL_PORT: await freePort(), TEMPORAL_UI_PORT: await freePort() };
    const env = { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
    child = spawn('npm', ['start'], {
      cwd: PROJECT_ROOT,
      detached: true,
      stdio: 'ignore',
      env: {
        ...env,
        DATA_DIR: dataDir,
        TEMPORAL_CLI_PATH: inject('temporalCliPath'),
        TEMPORAL_ADDRESS: '',
        SIM_TIME_SCALE: '0',
        LOG_LEVEL: 'warn',
      },
    });
    const api = `http://127.0.0.1:${ports.PORT}`;
    await waitUntil(
      async () => (await fetch(`${api}/v1/ready`).catch(() => undefined))?.status === 200,
      90_000,
      'npm start to be ready',
    );
    const key = readFileSync(path.join(dataDir, 'dev-api-key'), 'utf8').trim();
    const launch = await fetch(`${api}/v1/launches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': 'web-ui-1' },
      body: JSON.stringify({
        imageId: 'img-simeast1-0003',
        name: 'web-ui-1',
        region: 'sim-east-1',
        product: { productId: 'm1.small' },
        group: 'ops',
        billingCode: 'ops-7',
      }),
    });
    expect(launch.status).toBe(202);
    await waitUntil(
      async () =>
        (
          (await (
            await fetch(`${api}/v1/launches/launch-web-ui-1`, { headers: { authorization: `Bearer ${key}` } })
          ).json()) as { status?: string }
        ).status === 'completed',
      90_000,
      'the launch to complete',
    );

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      chromiumSandbox: false,
      args: CHROMIUM_ARGS,
    });
    const admin = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await admin.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(api);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();

    const codecAnswers: { status: number; cookie: boolean }[] = [];
    admin.on('response', (response) => {
      if (response.url().startsWith(`${api}/codec/`))
        void response
          .request()
          .allHeaders()
          .then((h) => codecAnswers.push({ status: response.status(), cookie: 'cookie' in h }));
    });
    // The console's own link, as an operator follows it: a new tab on the same origin.
    await page.goto(`${api}/#/launches/launch-web-ui-1`);
    const [ui] = await Promise.all([
      admin.waitForEvent('page'),
      page.getByRole('link', { name: 'Open in Temporal Web UI' }).click(),
    ]);
    expect(ui.url()).toBe(`${api}/temporal/namespaces/default/workflows/launch-web-ui-1`);
    await ui.getByText(DECODED_INPUT).first().waitFor();
    // The activities' summaries, in the clear: what the launch was doing, on which server (the timeline shortens them).
    await ui.getByText(SUMMARY).first().waitFor();
    expect(await ui.getByText(BANNER).count()).toBe(0);
    expect(codecAnswers.length).toBeGreaterThan(0);
    expect(codecAnswers.every((a) => a.status === 200 && a.cookie)).toBe(true);
    await ui.screenshot({ path: path.join(SCREENSHOTS, 'web-ui-decoded.png') });

    // The list: which image and billing code each launch is for, with no column chosen by hand.
    await ui.goto(`${api}/temporal/namespaces/default/workflows`);
    const row = ui.getByRole('row').filter({ hasText: 'launch-web-ui-1' });
    await row.waitFor();
    const headers = await ui.getByRole('columnheader').allInnerTexts();
    expect(headers.map((h) => h.trim())).toEqual(expect.arrayContaining(['ImageId', 'BillingCode', 'ServerId']));
    expect(await row.innerText()).toMatch(/img-simeast1-0003[\s\S]*i-\w+[\s\S]*ops-7/);
    await ui.screenshot({ path: path.join(SCREENSHOTS, 'web-ui-list.png') });

    // Signed out (another browser profile): the same page, its payloads as stored, and no banner.
    const anyone = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const outside = await anyone.newPage();
    outside.setDefaultTimeout(30_000);
    const answered: number[] = [];
    anyone.on('response', (response) => {
      if (response.url().startsWith(`${api}/codec/decode`)) answered.push(response.status());
    });
    await outside.goto(`${api}/temporal/namespaces/default/workflows/launch-web-ui-1`);
    await outside.getByText(SUMMARY).first().waitFor();
    await expect.poll(() => answered.length).toBeGreaterThan(0);
    expect(answered.every((status) => status === 200)).toBe(true);
    // The input as stored: AES-GCM ciphertext, shown as its base64.
    await outside
      .getByText(/^"[A-Za-z0-9+/]{60,}={0,2}"$/)
      .first()
      .waitFor();
    expect(await outside.getByText(DECODED_INPUT).count()).toBe(0);
    expect(await outside.getByText(BANNER).count()).toBe(0);
    await anyone.close();
  });
});
