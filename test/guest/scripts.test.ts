import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FILESYSTEMS, MIN_DISKS, RAID_LEVELS, type VolumePlan } from '../../domain/volume-plan';
import { renderGuestStep } from '../../guest/scripts';
import { guestSteps, type GuestStep } from '../../guest/steps';

const SECRET = 'correct-horse-battery-staple-7f3a';

function planFor(raid: VolumePlan['raid'], filesystem: VolumePlan['filesystem'], encrypt: boolean): VolumePlan {
  const count = MIN_DISKS[raid];
  return {
    disks: Array.from({ length: count }, () => ({ sizeGb: 10 })),
    raid,
    filesystem,
    mountPoint: '/srv/db-1',
    encrypt,
    blockEncryption: false,
  };
}

// Every step of every plan shape: raid levels × filesystems × LUKS on/off.
const matrix: { label: string; step: GuestStep }[] = [];
for (const raid of RAID_LEVELS) {
  for (const filesystem of FILESYSTEMS) {
    for (const encrypt of [false, true]) {
      const plan = planFor(raid, filesystem, encrypt);
      const devices = plan.disks.map((_, i) => `/dev/disk/by-id/virtio-vol-0000000000000000${i}`);
      for (const name of guestSteps(plan)) {
        matrix.push({
          label: `${name}-${raid}-${filesystem}-${encrypt ? 'luks' : 'plain'}`,
          step: { name, plan, devices },
        });
      }
    }
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'guest-scripts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rendered step scripts', () => {
  it(`covers ${matrix.length} step scripts across ${RAID_LEVELS.length} raid levels, ${FILESYSTEMS.length} filesystems and LUKS on/off`, () => {
    expect(new Set(matrix.map((m) => m.step.name))).toEqual(new Set(['raid', 'encrypt', 'format', 'mount']));
  });

  it('all parse with bash -n and pass shellcheck -s bash', () => {
    const files = matrix.map(({ label, step }) => {
      const file = path.join(dir, `${label}.sh`);
      writeFileSync(file, renderGuestStep(step));
      return file;
    });
    for (const file of files) {
      const syntax = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
      expect(syntax.status, `bash -n ${path.basename(file)}:\n${syntax.stderr}`).toBe(0);
    }
    const lint = spawnSync('shellcheck', ['-s', 'bash', ...files], { encoding: 'utf8' });
    if (lint.error) throw new Error(`shellcheck could not run (${lint.error.message}); install the shellcheck package`);
    expect(lint.status, `shellcheck:\n${lint.stdout}${lint.stderr}`).toBe(0);
  });

  it('start with set -euo pipefail and print the RESULT line on the saved stdout', () => {
    for (const { step } of matrix) {
      const text = renderGuestStep(step);
      expect(text.split('\n').slice(0, 4)).toContain('set -euo pipefail');
      expect(text).toMatch(/echo "RESULT device=[^\n]*" >&3\n$/);
    }
  });

  it('take the guest step lock before anything else, so a retried attempt waits for one still running', () => {
    for (const { step } of matrix) {
      const lines = renderGuestStep(step).split('\n');
      const lock = lines.indexOf('flock 9');
      expect(lines[lock - 1]).toBe('exec 9>/run/machine-images-volumes.lock');
      expect(lock).toBeLessThan(lines.findIndex((line) => line.startsWith('step=')));
    }
  });

  it('never carry the passphrase; the encrypt script reads it once from stdin and feeds cryptsetup through a pipe', () => {
    for (const { step } of matrix) expect(renderGuestStep(step)).not.toContain(SECRET);
    const encrypt = renderGuestStep(matrix.find((m) => m.step.name === 'encrypt')!.step);
    expect(encrypt.match(/read -r passphrase/g)).toHaveLength(1);
    expect(encrypt).toContain('key | cryptsetup luksFormat --type luks2 --batch-mode --pbkdf pbkdf2');
    expect(encrypt).toContain('--key-file=- "$device"');
    expect(encrypt).toMatch(/cryptsetup open --type luks --key-file=- "\$device" "\$name"/);
    expect(encrypt).toContain('"$name UUID=$luks_uuid $key_file luks,nofail"');
  });

  it('find disks by the stable ids they are given and take /etc paths from the environment', () => {
    const raid10 = matrix.find((m) => m.label === 'raid-raid10-xfs-luks')!;
    const text = renderGuestStep(raid10.step);
    for (const device of raid10.step.devices) expect(text).toContain(`'${device}'`);
    expect(text).toContain('mdadm_conf=${MDADM_CONF:-}');
    expect(renderGuestStep({ ...raid10.step, name: 'mount' })).toContain('fstab=${FSTAB:-/etc/fstab}');
    expect(renderGuestStep({ ...raid10.step, name: 'encrypt' })).toContain('crypttab=${CRYPTTAB:-/etc/crypttab}');
  });

  it('skip the initial resync only for mirrors (raid1, raid10) made on blank disks', () => {
    const create = (raid: VolumePlan['raid']) =>
      renderGuestStep(matrix.find((m) => m.label === `raid-${raid}-ext4-plain`)!.step).match(/mdadm --create .*/)?.[0];
    expect(create('raid1')).toContain('--level=1 --raid-devices=${#disks[@]} --metadata=1.2 --run --assume-clean');
    expect(create('raid10')).toContain('--level=10');
    expect(create('raid10')).toContain('--assume-clean');
    expect(create('raid5')).not.toContain('--assume-clean');
    expect(create('raid0')).not.toContain('--assume-clean');
    expect(create('none')).toBeUndefined();
  });

  it('refuse a plan that does not validate', () => {
    const step = matrix.find((m) => m.label === 'raid-raid5-ext4-plain')!.step;
    expect(() => renderGuestStep({ ...step, devices: step.devices.slice(0, 2) })).toThrow(
      /raid5 needs at least 3 disks, not 2/,
    );
  });
});
