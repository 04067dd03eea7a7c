import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../config/paths';
import { startTestApi, type TestApiOptions } from './api';

/** Debian's chromium (`.ci/run` installs it); CHROMIUM_PATH for another. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// What this machine needs: root (no sandbox), no GPU, and no reaching out to a network it does not have.
export const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The README's screenshots are rewritten with UPDATE_SCREENSHOTS=1; otherwise they go to a temporary folder, so a test run leaves the tree as it was. */
export const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? path.join(PROJECT_ROOT, 'docs', 'screenshots')
  : path.join(tmpdir(), 'machine-images-screenshots');

/**
 * The API (real Temporal, real worker, the sim) listening on a loopback port, and a headless chromium with a fresh
 * profile pointed at its console. `signIn` enters a key as an operator would.
 */
export async function startConsole(options: TestApiOptions = {}) {
  if (!existsSync(CHROMIUM))
    throw new Error(`no chromium at ${CHROMIUM}: apt-get install chromium (bash .ci/run does), or set CHROMIUM_PATH`);
  const api = await startTestApi(options);
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      chromiumSandbox: false,
      args: CHROMIUM_ARGS,
    });
  } catch (err) {
    await api.stop();
    throw err;
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(15_000);
  return {
    api,
    url,
    page,
    browser,
    async signIn(token = api.keys.admin, into: Page = page): Promise<void> {
      await into.goto(url);
      await into.getByLabel('API key').fill(token);
      await into.getByRole('button', { name: 'Sign in' }).click();
      await into.getByRole('navigation', { name: 'Pages' }).waitFor();
    },
    /** A small PNG of the page as it is, for docs/screenshots and the README. */
    async screenshot(name: string, into: Page = page): Promise<void> {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await into.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
    },
    async stop(): Promise<void> {
      await browser?.close();
      await api.stop();
    },
  };
}
