import { describe, expect, it } from 'vitest';
import { prepareGuestVolumes, type GuestTarget } from '../../guest/executor';
import type { VolumePlan } from '../../domain/volume-plan';
import { SimGuestExecutor } from '../../providers/sim/sim-guest-executor';
import { guestSteps, type GuestStep, type GuestStepResult } from '../../guest/steps';
import { ProviderError } from '../../domain/cloud-errors';
import { SimProvider } from '../../providers/sim/sim-provider';

const region = 'sim-east-1';
const SECRET = 'long-machine-made-passphrase-0f9e8d';

async function serverWithDisks(sim: SimProvider, count: number): Promise<GuestTarget> {
  const server = await sim.launchServer(region, {
    imageId: 'img-simeast1-0003',
    productId: 'm1.small',
    name: 'db-1',
    clientToken: `launch-${count}`,
  });
  const volumeIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const volume = await sim.createVolume(region, {
      sizeGb: 10,
      zone: server.zone,
      encrypted: false,
      clientToken: `vol-${i}`,
    });
    await sim.attachVolume(region, volume.id, server.id, `/dev/sd${String.fromCharCode(102 + i)}`); // sdf, sdg, ...
    volumeIds.push(volume.id);
  }
  return { region, serverId: server.id, volumeIds };
}

const planOf = (raid: VolumePlan['raid'], disks: number, encrypt = true): VolumePlan => ({
  disks: Array.from({ length: disks }, () => ({ sizeGb: 10 })),
  raid,
  filesystem: 'ext4',
  mountPoint: '/data',
  encrypt,
  blockEncryption: false,
});

/** Runs each step as the launch workflow would, handing on the device and the filesystem UUID. */
async function runSteps(executor: SimGuestExecutor, target: GuestTarget, plan: VolumePlan): Promise<GuestStepResult[]> {
  const devices = target.volumeIds.map((id) => executor.devicePath(id));
  const results: GuestStepResult[] = [];
  for (const name of guestSteps(plan)) {
    const previous = results.at(-1);
    const step: GuestStep = { name, plan, devices, ...(previous ? { device: previous.device } : {}) };
    const uuid = results.find((r) => r.filesystemUuid)?.filesystemUuid;
    results.push(await executor.run(target, uuid ? { ...step, filesystemUuid: uuid } : step, SECRET));
  }
  return results;
}

describe('sim guest executor', () => {
  it('builds raid10 → LUKS → ext4 → /data on 4 attached volumes, and a second run changes nothing', async () => {
    const sim = new SimProvider({ timeScale: 0 });
    const executor = new SimGuestExecutor(sim);
    const target = await serverWithDisks(sim, 4);
    const devices = target.volumeIds.map((id) => `/dev/disk/by-id/virtio-${id}`);

    const results = await runSteps(executor, target, planOf('raid10', 4));
    expect(results.map((r) => r.device)).toEqual([
      '/dev/md/data',
      '/dev/mapper/data-crypt',
      '/dev/mapper/data-crypt',
      '/dev/mapper/data-crypt',
    ]);
    const state = sim.guest(region, target.serverId).state();
    expect(state.arrays).toEqual([
      {
        device: '/dev/md/data',
        level: 'raid10',
        members: devices,
        uuid: expect.stringMatching(/^([0-9a-f]{8}:){3}[0-9a-f]{8}$/),
        active: true,
      },
    ]);
    expect(state.luks).toEqual([
      {
        device: '/dev/md/data',
        uuid: expect.any(String),
        name: 'data-crypt',
        open: true,
        keyDigest: expect.any(String),
      },
    ]);
    expect(JSON.stringify(state)).not.toContain(SECRET);
    const fsUuid = results[2]!.filesystemUuid!;
    expect(state.filesystems).toEqual([
      { device: '/dev/mapper/data-crypt', type: 'ext4', uuid: fsUuid, label: 'data' },
    ]);
    expect(state.mounts).toEqual([{ device: '/dev/mapper/data-crypt', mountPoint: '/data', type: 'ext4' }]);
    expect(state.fstab).toEqual([`UUID=${fsUuid} /data ext4 defaults,nofail 0 2`]);
    expect(state.crypttab).toEqual([`data-crypt UUID=${state.luks[0]!.uuid} /etc/luks-keys/data-crypt luks`]);
    expect(state.mdadmConf).toEqual([`ARRAY /dev/md/data metadata=1.2 UUID=${state.arrays[0]!.uuid}`]);
    expect(state.keyFiles).toEqual([
      { path: '/etc/luks-keys/data-crypt', mode: '0400', keyDigest: state.luks[0]!.keyDigest },
    ]);
    expect(results[3]).toEqual({ device: '/dev/mapper/data-crypt', filesystemUuid: fsUuid, mountPoint: '/data' });

    expect(await runSteps(executor, target, planOf('raid10', 4))).toEqual(results);
    expect(sim.guest(region, target.serverId).state()).toEqual(state);
    expect(await prepareGuestVolumes(executor, target, planOf('raid10', 4), SECRET)).toEqual({
      device: '/dev/mapper/data-crypt',
      arrayDevice: '/dev/md/data',
      luksDevice: '/dev/mapper/data-crypt',
      filesystemUuid: fsUuid,
      mountPoint: '/data',
    });
    expect(await executor.probe(target, '/data')).toEqual({
      reachable: true,
      mounted: true,
      detail: '/data is mounted from /dev/mapper/data-crypt',
    });
  });

  it('after a reboot assembles the array and opens LUKS from what is on disk, keeping every UUID', async () => {
    const sim = new SimProvider({ timeScale: 0 });
    const executor = new SimGuestExecutor(sim);
    const target = await serverWithDisks(sim, 2);
    await runSteps(executor, target, planOf('raid1', 2));
    const before = sim.guest(region, target.serverId).state();
    sim.guest(region, target.serverId).update((state) => {
      state.arrays[0]!.active = false;
      state.luks[0]!.open = false;
      state.mounts = [];
    });
    expect(await executor.probe(target, '/data')).toMatchObject({ reachable: true, mounted: false });
    await runSteps(executor, target, planOf('raid1', 2));
    expect(sim.guest(region, target.serverId).state()).toEqual(before);
  });

  it('fails a step with the scripted fault, and the retry completes it', async () => {
    const sim = new SimProvider({ timeScale: 0 });
    const executor = new SimGuestExecutor(sim);
    const target = await serverWithDisks(sim, 1);
    sim.faults.script({ operation: 'guest.format', nth: 1, code: 'Unavailable', match: { serverId: target.serverId } });
    const plan = planOf('none', 1, false);
    const error = await runSteps(executor, target, plan).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      code: 'Unavailable',
      retryable: true,
      message: expect.stringContaining('guest.format'),
    });
    expect(sim.guest(region, target.serverId).state().filesystems).toEqual([]);
    const results = await runSteps(executor, target, plan);
    expect(results.at(-1)).toMatchObject({
      device: `/dev/disk/by-id/virtio-${target.volumeIds[0]}`,
      mountPoint: '/data',
    });
  });

  it('refuses raid5 with 2 attached disks, and a plan whose disks are not all attached', async () => {
    const sim = new SimProvider({ timeScale: 0 });
    const executor = new SimGuestExecutor(sim);
    const target = await serverWithDisks(sim, 2);
    const devices = target.volumeIds.map((id) => executor.devicePath(id));
    await expect(executor.run(target, { name: 'raid', plan: planOf('raid5', 2), devices })).rejects.toMatchObject({
      code: 'InvalidInput',
      message: expect.stringContaining('raid5 needs at least 3 disks, not 2'),
    });
    await expect(executor.run(target, { name: 'raid', plan: planOf('raid5', 3), devices })).rejects.toMatchObject({
      code: 'InvalidInput',
      message: expect.stringContaining('the plan has 3 disks but 2 are attached'),
    });
    const notAttached = [...devices, '/dev/disk/by-id/virtio-vol-0123456789abcdef0'];
    await expect(
      executor.run(target, { name: 'raid', plan: planOf('raid5', 3), devices: notAttached }),
    ).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringContaining('vol-0123456789abcdef0 is not present in the guest yet'),
    });
    expect(sim.guest(region, target.serverId).state().arrays).toEqual([]);
  });

  it('refuses to reformat a different filesystem, a wrong passphrase, and a mount point taken by another device', async () => {
    const sim = new SimProvider({ timeScale: 0 });
    const executor = new SimGuestExecutor(sim);
    const target = await serverWithDisks(sim, 2);
    const [first, second] = target.volumeIds.map((id) => executor.devicePath(id)) as [string, string];
    const plain = planOf('none', 1, false);
    await runSteps(executor, { ...target, volumeIds: [target.volumeIds[0]!] }, plain);
    await expect(
      executor.run(target, { name: 'format', plan: { ...plain, filesystem: 'xfs' }, devices: [first] }),
    ).rejects.toMatchObject({
      code: 'Conflict',
      message: expect.stringContaining('already holds ext4, not the planned xfs'),
    });
    const onSecond = { ...target, volumeIds: [target.volumeIds[1]!] };
    await executor.run(onSecond, { name: 'format', plan: plain, devices: [second] });
    await expect(executor.run(onSecond, { name: 'mount', plan: plain, devices: [second] })).rejects.toMatchObject({
      code: 'Conflict',
      message: expect.stringContaining(`/etc/fstab already mounts UUID=`),
    });
    const luks = planOf('none', 1, true);
    await expect(
      executor.run(onSecond, { name: 'encrypt', plan: luks, devices: [second] }, SECRET),
    ).rejects.toMatchObject({
      code: 'Conflict',
      message: expect.stringContaining(`${second} already holds ext4, not LUKS`),
    });

    const other = new SimProvider({ timeScale: 0 });
    const otherExecutor = new SimGuestExecutor(other);
    const vault = await serverWithDisks(other, 1);
    const disk = otherExecutor.devicePath(vault.volumeIds[0]!);
    await otherExecutor.run(vault, { name: 'encrypt', plan: luks, devices: [disk] }, SECRET);
    await expect(
      otherExecutor.run(vault, { name: 'encrypt', plan: luks, devices: [disk] }, 'not-the-passphrase'),
    ).rejects.toMatchObject({
      code: 'Conflict',
      message: `the given passphrase does not open ${disk}`,
    });
    await expect(otherExecutor.run(vault, { name: 'encrypt', plan: luks, devices: [disk] })).rejects.toMatchObject({
      code: 'InvalidInput',
    });
  });

  it('answers readiness: unreachable while booting or under a probe fault, then reachable', async () => {
    let now = Date.parse('2026-11-27T00:00:00Z');
    const sim = new SimProvider({ timeScale: 0.1, now: () => now });
    const executor = new SimGuestExecutor(sim);
    const server = await sim.launchServer(region, {
      imageId: 'img-simeast1-0003',
      productId: 'm1.small',
      name: 'web-1',
      clientToken: 'probe',
    });
    const target = { region, serverId: server.id, volumeIds: [] };
    expect(await executor.probe(target)).toEqual({ reachable: false, detail: 'server is pending' });
    now += 5_000;
    expect(await executor.probe(target)).toEqual({ reachable: false, detail: 'status checks are initializing' });
    now += 3_000;
    sim.faults.script({ operation: 'guest.probe', nth: 1, code: 'Throttled' });
    expect(await executor.probe(target)).toMatchObject({
      reachable: false,
      detail: expect.stringContaining('guest.probe'),
    });
    expect(await executor.probe(target, '/data')).toEqual({
      reachable: true,
      mounted: false,
      detail: 'nothing is mounted at /data',
    });
  });
});
