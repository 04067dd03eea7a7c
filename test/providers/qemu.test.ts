import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigSchema } from '../../config/config';
import { QemuProvider } from '../../providers/qemu/qemu-provider';
import { createProvider } from '../../providers/registry';
import { qemuProcesses, startQemuCloud } from '../support/qemu';

// What the contract cannot show: a launch repeated while the first call still boots (an activity retried after
// its timeout) boots one machine that another process can find and terminate, and a relative DATA_DIR still
// works for a daemon that runs from /.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 600_000 });

describe('qemu driver', () => {
  let cloud: Awaited<ReturnType<typeof startQemuCloud>>;
  beforeAll(async () => {
    cloud = await startQemuCloud();
  });
  afterAll(async () => cloud?.stop());

  it('boots one machine when the same launch is asked for again while the first call still runs, and another process controls it', async () => {
    const p = cloud.provider;
    const imageId = (await p.searchPublicImages('local', {})).items[0]!.id;
    const input = { imageId, productId: 'q1.small', name: 'twice', clientToken: `twice-${Date.now()}` };
    const [first, second] = await Promise.all([p.launchServer('local', input), p.launchServer('local', input)]);
    expect(second.id).toBe(first.id);
    expect(qemuProcesses(cloud.root).filter((m) => m.serverId === first.id)).toHaveLength(1);
    expect((await p.launchServer('local', input)).state).toBe('running');
    expect(qemuProcesses(cloud.root).filter((m) => m.serverId === first.id)).toHaveLength(1);

    // The machine outlives the process that started it: another process (a restarted worker) finds and controls it.
    const restarted = new QemuProvider({
      root: cloud.root,
      baseImageDir: p.ctx.baseImageDir,
      accel: 'auto',
      limits: { guests: 4, memoryMb: 6144 },
    });
    try {
      expect(await restarted.getServer('local', first.id)).toMatchObject({
        state: 'running',
        publicIp: (await p.getServer('local', first.id)).publicIp,
      });
      await restarted.terminateServer('local', first.id);
    } finally {
      restarted.close();
    }
    expect(qemuProcesses(cloud.root)).toEqual([]);
    expect((await p.getServer('local', first.id)).state).toBe('terminated');
  });

  it('keeps its files under an absolute folder when DATA_DIR is relative (QEMU runs daemonized from /)', () => {
    const relative = path.relative(process.cwd(), path.join(cloud.root, 'relative-data'));
    const provider = createProvider(
      ConfigSchema.parse({
        PROVIDER: 'qemu',
        DATA_DIR: relative,
        QEMU_IMAGE_CACHE: path.dirname(cloud.provider.ctx.baseImageDir),
      }),
    );
    try {
      expect(provider).toBeInstanceOf(QemuProvider);
      expect((provider as QemuProvider).ctx.root).toBe(path.join(cloud.root, 'relative-data', 'qemu'));
    } finally {
      (provider as QemuProvider).close();
      rmSync(path.join(cloud.root, 'relative-data'), { recursive: true, force: true });
    }
  });
});
