import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { SimProvider } from '../../providers/sim/sim-provider';
import { providerContract } from './contract';

// Two accounts of one simulated cloud: the driver under test, and a partner over the same records that receives shares.
const dir = mkdtempSync(path.join(os.tmpdir(), 'sim-contract-'));
const dbFile = path.join(dir, 'sim-cloud.db');
const provider = new SimProvider({ timeScale: 0, dbFile });
const partner = new SimProvider({ timeScale: 0, dbFile, account: 'partner-account' });
afterAll(() => {
  provider.close();
  partner.close();
  rmSync(dir, { recursive: true, force: true });
});

providerContract('sim', () => ({
  provider,
  region: 'sim-east-1',
  settleMs: 2_000,
  sharing: { accounts: ['partner-account', 'audit-account'], partner },
}));
