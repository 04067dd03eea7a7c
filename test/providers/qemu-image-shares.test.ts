import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QEMU_REGION } from '../../providers/qemu/catalog';
import type { ImageDoc } from '../../providers/qemu/qemu-images';
import { QemuProvider } from '../../providers/qemu/qemu-provider';

// The qemu driver's shares without booting a guest: image records are put in its store as a capture would leave
// them, one of this account (`local`) and one of another account shared with it.
describe('qemu image shares', () => {
  let dir: string;
  let provider: QemuProvider;
  const record = (id: string, ownerId: string, shares?: ImageDoc['shares']): ImageDoc => ({
    image: {
      id,
      provider: 'qemu',
      region: QEMU_REGION,
      name: id,
      description: '',
      ownerId,
      visibility: 'private',
      architecture: 'x86_64',
      platform: 'debian',
      createdAt: new Date().toISOString(),
      minDiskGb: 8,
      tags: {},
      extra: {},
    },
    files: { disk: path.join(dir, `${id}.qcow2`), kernel: '', initrd: '' },
    ...(shares ? { shares } : {}),
  });
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'qemu-shares-'));
    provider = new QemuProvider({
      root: dir,
      baseImageDir: path.join(dir, 'no-base-image'),
      accel: 'tcg',
      limits: { guests: 1, memoryMb: 1024 },
    });
    const put = (doc: ImageDoc) =>
      provider.ctx.store.put({ id: doc.image.id, kind: 'image', region: QEMU_REGION, clientToken: null, doc });
    put(record('img-own', 'local'));
    put(record('img-theirs', 'partner-account', { accounts: ['local'], public: false }));
  });
  afterAll(() => {
    provider?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps, lists and revokes the shares of an own image in its record', async () => {
    expect(await provider.listImageShares(QEMU_REGION, 'img-own')).toEqual({ accounts: [], public: false });
    expect(await provider.shareImage(QEMU_REGION, 'img-own', { accounts: ['audit-account'], public: true })).toEqual({
      accounts: ['audit-account'],
      public: true,
    });
    expect(await provider.unshareImage(QEMU_REGION, 'img-own', { public: true })).toEqual({
      accounts: ['audit-account'],
      public: false,
    });
    await expect(provider.shareImage(QEMU_REGION, 'img-own', { accounts: ['Bad Id'] })).rejects.toMatchObject({
      code: 'InvalidInput',
    });
  });

  it('lists another account’s image shared with this one as shared, not as its own', async () => {
    const shared = await provider.listSharedImages(QEMU_REGION);
    expect(shared.items.map((i) => [i.id, i.visibility])).toEqual([['img-theirs', 'shared']]);
    const own = await provider.listImages(QEMU_REGION);
    expect(own.items.map((i) => i.id)).toEqual(['img-own']);
  });
});
