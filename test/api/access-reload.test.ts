import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BillingCodeSchema, type BillingCode } from '../../domain/billing-codes';
import { bearer } from '../support/api-keys';
import { LAUNCH_BODY } from '../support/launches';
import { waitUntil } from '../support/processes';
import { keysFileText, newKey, replaceFile, startReplicas } from '../support/replicas';

const code = (c: Partial<BillingCode> & { code: string }): BillingCode =>
  BillingCodeSchema.parse({ name: `code ${c.code}`, groups: ['ops'], ...c });

/** Seconds from `since` to now, to one decimal. */
const secondsSince = (since: number) => Math.round((Date.now() - since) / 100) / 10;

// Keys and billing codes are read again when their files change, on every replica, with no restart.
describe('keys and billing codes files, read again on two replicas', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'access-reload-'));
  const keysFile = path.join(dir, 'keys.json');
  const codesFile = path.join(dir, 'codes.json');
  const admin = newKey('admin', 'admin', ['*']);
  const alice = newKey('alice', 'operator');
  const bob = newKey('bob', 'operator');
  let env: Awaited<ReturnType<typeof startReplicas>>;
  const started: string[] = [];

  beforeAll(async () => {
    writeFileSync(keysFile, keysFileText(admin.entry, alice.entry));
    writeFileSync(codesFile, JSON.stringify([code({ code: 'ops-7' })]));
    env = await startReplicas(2, { keys: keysFile, billingCodes: codesFile });
  });
  afterAll(async () => {
    for (const id of started)
      await env?.temporal.client.workflow
        .getHandle(id)
        .cancel()
        .catch(() => undefined);
    await env?.stop();
  });

  /** The status each replica answers a key with, on a route any role may call. */
  const statuses = (token: string) =>
    Promise.all(
      env.replicas.map(
        async ({ app }) =>
          (await app.inject({ method: 'GET', url: '/v1/billing-codes', headers: bearer(token) })).statusCode,
      ),
    );
  const applied = (variable: string) =>
    Promise.all(
      env.replicas.map(async ({ app }) => {
        const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: bearer(admin.token) })).body;
        return new RegExp(`^machine_images_config_file_applied\\{variable="${variable}"\\} (\\d)$`, 'm').exec(
          metrics,
        )?.[1];
      }),
    );

  it('refuses a key removed from the file on both replicas within 10 s, and accepts one added, with no restart', async () => {
    expect(await statuses(alice.token)).toEqual([200, 200]);
    expect(await statuses(bob.token)).toEqual([401, 401]);

    const changed = Date.now();
    replaceFile(keysFile, keysFileText(admin.entry, bob.entry));
    await waitUntil(
      async () => (await statuses(alice.token)).every((status) => status === 401),
      10_000,
      'both replicas to refuse the removed key',
    );
    const refusedAfter = secondsSince(changed);
    expect(await statuses(bob.token)).toEqual([200, 200]);
    console.log(`a key removed from the keys file was refused by both replicas after ${refusedAfter} s`);
    expect(refusedAfter).toBeLessThan(10);
  });

  it('keeps the last good keys when the file becomes invalid, says so in the log and /metrics, then applies the next good one', async () => {
    expect(await applied('API_KEYS_FILE')).toEqual(['1', '1']);
    // Written in place, half-way through an edit: bob's entry is not valid yet.
    writeFileSync(keysFile, keysFileText(admin.entry, { ...bob.entry, role: 'root' as 'operator' }));
    await waitUntil(
      async () => (await applied('API_KEYS_FILE')).every((value) => value === '0'),
      10_000,
      'both replicas to refuse the invalid file',
    );
    expect(await statuses(bob.token), 'the keys read before stay in force').toEqual([200, 200]);
    const errors = env.logs.map((line) => JSON.parse(line)).filter((entry) => entry.level === 50);
    expect(errors.at(-1)).toMatchObject({
      variable: 'API_KEYS_FILE',
      file: keysFile,
      msg: expect.stringMatching(
        /^API_KEYS_FILE .* is not valid: keys\.1\.role: .*; not applied: the version read before/,
      ),
    });

    replaceFile(keysFile, keysFileText(admin.entry, alice.entry));
    await waitUntil(
      async () => (await applied('API_KEYS_FILE')).every((value) => value === '1'),
      10_000,
      'both replicas to apply the fixed file',
    );
    expect(await statuses(alice.token)).toEqual([200, 200]);
    expect(await statuses(bob.token)).toEqual([401, 401]);
  });

  it('refuses launches on a billing code deactivated in the file, on both replicas', async () => {
    const launch = (replica: number, name: string) =>
      env.replicas[replica]!.app.inject({
        method: 'POST',
        url: '/v1/launches',
        headers: bearer(alice.token),
        payload: { ...LAUNCH_BODY, name, readyTimeout: '10m' },
      });
    const accepted = await launch(0, 'before-deactivation');
    expect(accepted.statusCode).toBe(202);
    started.push(accepted.json().id);

    const changed = Date.now();
    replaceFile(codesFile, JSON.stringify([code({ code: 'ops-7', active: false })]));
    let answers: Awaited<ReturnType<typeof launch>>[] = [];
    await waitUntil(
      async () => {
        answers = await Promise.all([launch(0, 'after-0'), launch(1, 'after-1')]);
        return answers.every((answer) => answer.statusCode === 422);
      },
      10_000,
      'both replicas to refuse the deactivated code',
    );
    console.log(`a billing code deactivated in its file was refused by both replicas after ${secondsSince(changed)} s`);
    for (const answer of answers) expect(answer.json()).toMatchObject({ code: 'billing_code_inactive' });
  });
});
