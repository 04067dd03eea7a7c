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

// The whole path an operator takes: `npm start` gives the dev server's Web UI our codec endpoint; signing in to the
// console opens the browser session it rides on; the Web UI then shows a launch's encrypted payloads decoded.
describe('the Temporal Web UI under npm start', { timeout: 120_000 }, () => {
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

  it('shows a launch’s payloads decoded to an admin signed in to the console, through the codec endpoint', async () => {
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
    const ui = `http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`;
    await waitUntil(
      async () => (await fetch(`${api}/v1/ready`).catch(() => undefined))?.status === 200,
      60_000,
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

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      chromiumSandbox: false,
      args: CHROMIUM_ARGS,
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(api);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();

    const codecAnswers: { status: number; cookie: boolean }[] = [];
    page.on('response', (response) => {
      if (response.url().startsWith(`${api}/codec/`))
        void response
          .request()
          .allHeaders()
          .then((h) => codecAnswers.push({ status: response.status(), cookie: 'cookie' in h }));
    });
    // The Web UI's per-browser codec settings, as ticking "Include cross-origin credentials" stores them.
    await page.goto(ui);
    await page.evaluate(`localStorage.setItem('overrideRemoteCodecConfiguration', 'true');
      localStorage.setItem('endpoint', JSON.stringify('${api}/codec'));
      localStorage.setItem('includeCredentials', 'true');`);
    await page.goto(`${ui}/namespaces/default/workflows/launch-web-ui-1`);
    await page.getByText('"imageId": "img-simeast1-0003"').first().waitFor({ timeout: 30_000 });
    await expect.poll(() => codecAnswers.length).toBeGreaterThan(0);
    expect(codecAnswers.every((a) => a.status === 200 && a.cookie)).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'web-ui-decoded.png') });
  });
});
