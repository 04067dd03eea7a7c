import { describe, expect, it } from 'vitest';
import { layoutNames, volumePlanProblems, type RaidLevel } from '../../domain/volume-plan';
import { guestSteps, guestStepProblems, parseStepResult } from '../../guest/steps';

const disks = (count: number) => Array.from({ length: count }, () => ({ sizeGb: 10 }));
const problems = (raid: RaidLevel, count: number, mountPoint = '/data') =>
  volumePlanProblems({ disks: disks(count), raid, mountPoint });
const messages = (raid: RaidLevel, count: number, mountPoint?: string) =>
  problems(raid, count, mountPoint).map((p) => p.message);

describe('volume plan', () => {
  it.each([
    ['raid1', 1, 'raid1 needs at least 2 disks, not 1'],
    ['raid5', 2, 'raid5 needs at least 3 disks, not 2'],
    ['raid10', 3, 'raid10 needs at least 4 disks, not 3'],
    ['raid10', 5, 'raid10 needs an even number of disks, not 5'],
    ['none', 2, 'raid "none" takes exactly 1 disk, not 2'],
    ['raid0', 1, 'raid0 needs at least 2 disks, not 1'],
  ] as const)('refuses %s with %i disks', (raid, count, message) => {
    expect(problems(raid, count)).toEqual([{ path: ['raid'], message: expect.stringContaining(message) }]);
  });

  it.each([
    ['none', 1],
    ['raid0', 2],
    ['raid1', 2],
    ['raid5', 3],
    ['raid10', 4],
    ['raid10', 6],
  ] as const)('accepts %s with %i disks at /data', (raid, count) => {
    expect(problems(raid, count)).toEqual([]);
  });

  it.each([
    ['data', 'is relative'],
    ['/', 'may hold only'],
    ['/etc', 'belongs to the operating system'],
    ['/usr/local/data', 'belongs to the operating system'],
    ['/boot/x', 'belongs to the operating system'],
    ['/data/', 'no trailing slash'],
    ['/da ta', 'may hold only'],
    ["/data'; rm -rf /", 'may hold only'],
  ])('refuses the mount point %j', (mountPoint, message) => {
    const found = problems('none', 1, mountPoint);
    expect(found).toHaveLength(1);
    expect(found[0]).toEqual({ path: ['mountPoint'], message: expect.stringContaining(message) });
  });

  it('accepts /data, /var/lib/data and /srv/db-1', () => {
    for (const mountPoint of ['/data', '/var/lib/data', '/srv/db-1'])
      expect(messages('none', 1, mountPoint)).toEqual([]);
  });

  it('derives array, LUKS mapping and label names from the mount point alone', () => {
    expect(layoutNames({ mountPoint: '/data' })).toEqual({ array: 'data', luks: 'data-crypt', label: 'data' });
    expect(layoutNames({ mountPoint: '/var/lib/postgresql' })).toEqual({
      array: 'var-lib-postgresql',
      luks: 'var-lib-postgresql-crypt',
      label: 'var-lib-post',
    });
  });
});

describe('guest steps', () => {
  const plan = {
    disks: disks(2),
    raid: 'raid1' as const,
    filesystem: 'ext4' as const,
    mountPoint: '/data',
    encrypt: false,
    blockEncryption: false,
  };

  it('runs raid first (a no-op for none), encrypt only when planned, then format and mount', () => {
    expect(guestSteps({ encrypt: false })).toEqual(['raid', 'format', 'mount']);
    expect(guestSteps({ encrypt: true })).toEqual(['raid', 'encrypt', 'format', 'mount']);
  });

  it('refuses a step whose attached disks do not match the plan, or whose paths could be code', () => {
    expect(guestStepProblems({ name: 'raid', plan, devices: ['/dev/disk/by-id/virtio-a'] })).toEqual([
      expect.stringContaining('raid1 needs at least 2 disks, not 1'),
      expect.stringContaining('the plan has 2 disks but 1 are attached'),
    ]);
    expect(guestStepProblems({ name: 'raid', plan, devices: ['/dev/a', '/dev/b; reboot'] })).toEqual([
      expect.stringContaining('is not an absolute device path'),
    ]);
    expect(guestStepProblems({ name: 'encrypt', plan, devices: ['/dev/a', '/dev/b'] })).toEqual([
      expect.stringContaining('does not ask for encryption'),
    ]);
  });

  it('parses the one RESULT line a script prints', () => {
    expect(parseStepResult('RESULT device=/dev/mapper/data-crypt luksDevice=/dev/mapper/data-crypt\n')).toEqual({
      device: '/dev/mapper/data-crypt',
      luksDevice: '/dev/mapper/data-crypt',
    });
    expect(parseStepResult('noise\nRESULT device=/dev/md/data filesystemUuid=1b2c mountPoint=/data')).toEqual({
      device: '/dev/md/data',
      filesystemUuid: '1b2c',
      mountPoint: '/data',
    });
    expect(() => parseStepResult('done\n')).toThrow(/exactly one RESULT line, this one printed 0/);
    expect(() => parseStepResult('RESULT device=/a\nRESULT device=/b')).toThrow(/printed 2/);
    expect(() => parseStepResult('RESULT device=/a colour=red')).toThrow(/unexpected field "colour=red"/);
    expect(() => parseStepResult('RESULT mountPoint=/data')).toThrow(/names no device/);
  });
});
