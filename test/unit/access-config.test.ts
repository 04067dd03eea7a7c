import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { accessNotice, loadAccessConfig } from '../../api/auth/access-config';
import { hashApiKey, newApiKeyToken, readApiKeysFile } from '../../api/auth/api-keys';
import { allows } from '../../domain/access';

const silent = pino({ level: 'silent' });
const dir = () => mkdtempSync(path.join(tmpdir(), 'access-'));

describe('API keys and billing codes files', () => {
  it('finds a principal by its key and keeps only the hash on disk', () => {
    const token = newApiKeyToken();
    const file = path.join(dir(), 'keys.json');
    writeFileSync(
      file,
      JSON.stringify({ keys: [{ principal: 'alice', role: 'operator', groups: ['web'], sha256: hashApiKey(token) }] }),
    );
    const keys = readApiKeysFile(file);
    expect(keys.lookup(token)).toMatchObject({ name: 'alice', role: 'operator', groups: ['web'] });
    expect(keys.lookup(token + 'x')).toBeUndefined();
    expect(token).toMatch(/^mik_[A-Za-z0-9_-]{43}$/);
  });

  it('stops start-up on a bad keys file, naming the entry and field', () => {
    const file = path.join(dir(), 'keys.json');
    writeFileSync(file, JSON.stringify({ keys: [{ principal: 'bob', role: 'root', groups: [], sha256: 'abc' }] }));
    expect(() => readApiKeysFile(file)).toThrow(/keys\.0\.role: .*keys\.0\.sha256: the hex SHA-256/s);
    writeFileSync(file, '{not json');
    expect(() => readApiKeysFile(file)).toThrow(/API_KEYS_FILE .*must be JSON/);
  });

  it('generates one dev admin key with mode 0600, keeps it across starts, and shows it in full only the first time', () => {
    const dataDir = dir();
    const first = loadAccessConfig(
      { DATA_DIR: dataDir, API_KEYS_FILE: undefined, BILLING_CODES_FILE: undefined },
      silent,
    );
    expect(first.devKey?.created).toBe(true);
    expect(statSync(first.devKey!.file).mode & 0o777).toBe(0o600);
    expect(first.apiKeys().lookup(first.devKey!.token)).toMatchObject({ role: 'admin', groups: 'all' });
    expect(accessNotice(first).join('\n')).toContain(first.devKey!.token);
    const second = loadAccessConfig(
      { DATA_DIR: dataDir, API_KEYS_FILE: undefined, BILLING_CODES_FILE: undefined },
      silent,
    );
    expect(second.devKey).toMatchObject({ token: first.devKey!.token, created: false });
    expect(accessNotice(second).join('\n')).not.toContain(first.devKey!.token);
    expect(accessNotice(second).join('\n')).toContain('not enforced');
  });

  it('reads billing codes and refuses a soft quota above the hard one', () => {
    const file = path.join(dir(), 'codes.json');
    writeFileSync(file, JSON.stringify([{ code: 'ops-7', name: 'Ops', groups: ['ops'], quota: { soft: 3, hard: 2 } }]));
    expect(() =>
      loadAccessConfig({ DATA_DIR: dir(), API_KEYS_FILE: undefined, BILLING_CODES_FILE: file }, silent),
    ).toThrow(/0\.quota\.soft: soft must not be above hard/);
    writeFileSync(file, JSON.stringify([{ code: 'ops-7', name: 'Ops', groups: ['ops'], quota: { soft: 2, hard: 3 } }]));
    expect(
      loadAccessConfig({ DATA_DIR: dir(), API_KEYS_FILE: undefined, BILLING_CODES_FILE: file }, silent)
        .billingCodes?.()
        .get('ops-7'),
    ).toMatchObject({ active: true });
  });

  it('ranks roles: viewers read, operators operate, admins do everything', () => {
    expect([
      allows('viewer', 'read'),
      allows('viewer', 'operate'),
      allows('operator', 'operate'),
      allows('operator', 'admin'),
      allows('admin', 'admin'),
    ]).toEqual([true, false, true, false, true]);
  });
});
