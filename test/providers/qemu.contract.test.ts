import { afterAll, beforeAll, vi } from 'vitest';
import type { QemuProvider } from '../../providers/qemu/qemu-provider';
import { startQemuCloud } from '../support/qemu';
import { providerContract } from './contract';

// The qemu driver under the same contract: a real guest boots (about 80 s under TCG), disks hot-plug through QMP,
// a capture copies a stopped guest's disk. What it declares it cannot do is checked to be refused. One case boots a
// guest twice (start, then reboot), and a loaded 2-core machine can take four minutes a boot: hence the room.
vi.setConfig({ testTimeout: 900_000, hookTimeout: 600_000 });

let cloud: Awaited<ReturnType<typeof startQemuCloud>>;
let provider: QemuProvider;
beforeAll(async () => {
  cloud = await startQemuCloud();
  provider = cloud.provider;
});
afterAll(async () => cloud?.stop());

providerContract('qemu', () => ({
  provider,
  region: cloud.region,
  settleMs: 360_000,
  cannot: {
    arm64: 'the local cloud runs x86_64 guests only',
    largeLibrary: 'the public library is the one base image the project builds',
    blockEncryption: 'volumes are plain qcow2 files; guests encrypt with LUKS',
    sharedWithUs: 'the local cloud runs one account',
  },
  sharing: { accounts: ['partner-account', 'audit-account'] },
}));
