import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole } from '../support/browser';

// The console in a real browser (Debian's chromium): served by the API at `/`, talking only to the public API.
describe('console sign-in', () => {
  let con: Awaited<ReturnType<typeof startConsole>>;
  beforeAll(async () => {
    con = await startConsole();
  }, 60_000);
  afterAll(async () => con?.stop());

  it('serves the console at / without a key, and refuses a wrong key beside the field', async () => {
    await con.page.goto(con.url);
    await con.page.getByLabel('API key').fill('mik_wrong');
    await con.page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => con.page.getByRole('alert').textContent()).toContain('not one this service knows');
  });

  it('signs in with a key, kept for the browser session, and shows the pages', async () => {
    await con.signIn(con.api.keys.viewer);
    expect(await con.page.getByRole('navigation', { name: 'Pages' }).getByRole('link').allTextContents()).toEqual([
      'Images',
      'Servers',
      'Key pairs',
      'Firewalls',
      'Launches',
      'Families',
    ]);
    await con.page.reload();
    await con.page.getByRole('navigation', { name: 'Pages' }).waitFor();
    expect(await con.page.evaluate('sessionStorage.length')).toBe(1);
  });

  it('keeps the bundle small', async () => {
    const js = await (await fetch(`${con.url}/console/app.js`)).text();
    expect(js.length).toBeLessThan(150_000);
  });
});
