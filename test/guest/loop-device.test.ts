import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutNames, type Filesystem, type VolumePlan } from '../../domain/volume-plan';
import { renderGuestStep } from '../../guest/scripts';
import { parseStepResult, type GuestStep, type GuestStepName } from '../../guest/steps';
import { installFakeCryptsetup, type FakeCryptsetup } from './fake-cryptsetup';
import { attachLoopDisks, runScript, type LoopBench } from './loop-disks';

// The scripts against a real kernel: loop devices for disks, a private fstab, mount points under /mnt.
// mkfs.xfs refuses filesystems under 300 MB, so the xfs disk is a larger (sparse) file.

let bench: LoopBench | undefined;
let unavailable: string | undefined;
let fake: FakeCryptsetup | undefined;
const mappings: string[] = [];

beforeAll(() => {
  const attached = attachLoopDisks([
    { name: 'ext4', sizeMb: 64 },
    { name: 'xfs', sizeMb: 320 },
    { name: 'other', sizeMb: 64 },
    { name: 'vault', sizeMb: 64 },
  ]);
  if (typeof attached === 'string') unavailable = attached;
  else bench = attached;
  if (bench) fake = installFakeCryptsetup(bench.dir);
});

afterAll(() => {
  try {
    bench?.cleanup();
  } finally {
    fake?.cleanup(mappings);
  }
});

function step(name: GuestStepName, filesystem: Filesystem, extra: Partial<GuestStep> = {}): GuestStep {
  const disk = bench!.disks.find((d) => d.name === filesystem)!;
  const plan: VolumePlan = {
    disks: [{ sizeGb: 1 }],
    raid: 'none',
    filesystem,
    mountPoint: path.join(bench!.mountRoot, filesystem),
    encrypt: false,
    blockEncryption: false,
  };
  return { name, plan, devices: [disk.byId], ...extra };
}

function run(guestStep: GuestStep) {
  const result = runScript(renderGuestStep(guestStep), { FSTAB: bench!.fstab, GUEST_DEVICE_WAIT: '2' });
  if (result.status !== 0) throw new Error(`${guestStep.name} exited ${result.status}:\n${result.stderr}`);
  expect(result.stdout.trim().split('\n')).toHaveLength(1);
  return parseStepResult(result.stdout);
}

const sh = (command: string, ...args: string[]) => execFileSync(command, args, { encoding: 'utf8' }).trim();

describe.each(['ext4', 'xfs'] as const)('real %s on a loop device (raid none, no LUKS)', (fs) => {
  it('raid is a no-op, format makes the filesystem, mount mounts it by UUID; a second run changes nothing', (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const disk = bench!.disks.find((d) => d.name === fs)!;
    const mountPoint = path.join(bench!.mountRoot, fs);

    expect(run(step('raid', fs))).toEqual({ device: disk.byId });
    const formatted = run(step('format', fs, { device: disk.byId }));
    expect(formatted.filesystemUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(sh('blkid', '-p', '-o', 'value', '-s', 'TYPE', disk.loop)).toBe(fs);
    const mounted = run(step('mount', fs, { device: disk.byId, filesystemUuid: formatted.filesystemUuid! }));
    expect(mounted).toEqual({ device: disk.byId, filesystemUuid: formatted.filesystemUuid, mountPoint });
    expect(sh('findmnt', '-n', '-o', 'SOURCE,FSTYPE', '-M', mountPoint).split(/\s+/)).toEqual([disk.loop, fs]);
    expect(sh('blkid', '-p', '-o', 'value', '-s', 'UUID', disk.loop)).toBe(formatted.filesystemUuid);
    const line = `UUID=${formatted.filesystemUuid} ${mountPoint} ${fs} defaults,nofail 0 2`;
    expect(readFileSync(bench!.fstab, 'utf8').split('\n')).toContain(line);

    // Again, as a retried activity would: same filesystem, one fstab line, one mount.
    expect(run(step('format', fs, { device: disk.byId }))).toEqual(formatted);
    expect(run(step('mount', fs, { device: disk.byId }))).toEqual(mounted);
    expect(
      readFileSync(bench!.fstab, 'utf8')
        .split('\n')
        .filter((l) => l === line),
    ).toHaveLength(1);
    expect(sh('findmnt', '-n', '-o', 'SOURCE', '-M', mountPoint).split('\n')).toEqual([disk.loop]);
  });
});

describe('real refusals on a loop device', () => {
  it('refuses to format over a different filesystem and names both', (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const other = bench!.disks.find((d) => d.name === 'other')!;
    execFileSync('mkfs.ext4', ['-q', other.loop]);
    const before = sh('blkid', '-p', '-o', 'value', '-s', 'UUID', other.loop);
    const xfsOnOther: GuestStep = { ...step('format', 'xfs'), devices: [other.byId] };
    const result = runScript(renderGuestStep(xfsOnOther), { FSTAB: bench!.fstab });
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`${other.byId} already holds ext4, not the planned xfs; refusing to reformat it`);
    expect(result.stdout).toBe('');
    expect(sh('blkid', '-p', '-o', 'value', '-s', 'UUID', other.loop)).toBe(before);
  });

  it('reports a disk that never appears as not ready (exit 4), without touching anything', (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const missing: GuestStep = {
      ...step('format', 'ext4'),
      devices: [path.join(bench!.dir, 'by-id', 'virtio-missing')],
    };
    const result = runScript(renderGuestStep(missing), { FSTAB: bench!.fstab, GUEST_DEVICE_WAIT: '1' });
    expect(result.status).toBe(4);
    expect(result.stderr).toMatch(/virtio-missing did not appear within 1s; is the volume attached\?/);
  });
});

describe('the encrypt script on a loop device, with a stand-in cryptsetup (no dm-crypt here)', () => {
  const SECRET = 'machine-made-passphrase-5b1e0c';

  it('reads the passphrase from stdin only, keeps a 0400 key file and one crypttab line, and refuses a wrong passphrase', (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const disk = bench!.disks.find((d) => d.name === 'vault')!;
    const plan: VolumePlan = {
      disks: [{ sizeGb: 1 }],
      raid: 'none',
      filesystem: 'ext4',
      mountPoint: path.join(bench!.mountRoot, 'vault'),
      encrypt: true,
      blockEncryption: false,
    };
    const name = layoutNames(plan).luks;
    mappings.push(name);
    const keyDir = path.join(bench!.dir, 'luks-keys');
    const env = {
      PATH: `${fake!.bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      FAKE_LUKS_DIR: fake!.state,
      CRYPTTAB: bench!.crypttab,
      LUKS_KEY_DIR: keyDir,
      FSTAB: bench!.fstab,
    };
    const encrypt = renderGuestStep({ name: 'encrypt', plan, devices: [disk.byId] });
    const first = runScript(encrypt, env, `${SECRET}\n`);
    expect(first.status, first.stderr).toBe(0);
    expect(parseStepResult(first.stdout)).toEqual({ device: `/dev/mapper/${name}`, luksDevice: `/dev/mapper/${name}` });
    const again = runScript(encrypt, env, SECRET); // no trailing newline: read still takes it
    expect(again.status, again.stderr).toBe(0);
    expect(parseStepResult(again.stdout)).toEqual(parseStepResult(first.stdout));

    const keyFile = path.join(keyDir, name);
    expect(readFileSync(keyFile, 'utf8')).toBe(SECRET);
    expect(statSync(keyFile).mode & 0o777).toBe(0o400);
    expect(statSync(keyDir).mode & 0o777).toBe(0o700);
    const crypttab = readFileSync(bench!.crypttab, 'utf8').trim().split('\n');
    expect(crypttab).toEqual([
      expect.stringMatching(new RegExp(`^${name} UUID=[0-9a-f-]{36} ${keyFile} luks,nofail$`)),
    ]);
    expect(readFileSync(path.join(fake!.state, 'argv'), 'utf8')).not.toContain(SECRET);
    expect(first.stderr + again.stderr).not.toContain(SECRET);

    const wrong = runScript(encrypt, env, 'not-the-passphrase\n');
    expect(wrong.status).toBe(3);
    expect(wrong.stderr).toContain(`the given passphrase does not open ${disk.byId}`);
    expect(readFileSync(keyFile, 'utf8')).toBe(SECRET);
    expect(runScript(encrypt, env, '').stderr).toContain('no passphrase arrived on standard input');

    // The filesystem goes on the mapping and is mounted from it.
    const formatted = run({ name: 'format', plan, devices: [disk.byId] });
    expect(formatted.device).toBe(`/dev/mapper/${name}`);
    const mounted = runScript(renderGuestStep({ name: 'mount', plan, devices: [disk.byId] }), env);
    expect(mounted.status, mounted.stderr).toBe(0);
    expect(sh('findmnt', '-n', '-o', 'SOURCE', '-M', plan.mountPoint)).toBe(disk.loop);
  });
});
