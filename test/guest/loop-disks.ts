import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Real block devices for the step scripts: sparse files on loop devices, reached through symlinks that stand in
// for /dev/disk/by-id, with mount points under /mnt (the plan refuses /tmp) and a private fstab.

export interface LoopDisk {
  name: string;
  file: string;
  loop: string;
  /** The stand-in for /dev/disk/by-id/virtio-<name>. */
  byId: string;
}

export interface LoopBench {
  dir: string;
  /** Root for mount points: plans refuse anything under /tmp. */
  mountRoot: string;
  fstab: string;
  crypttab: string;
  disks: LoopDisk[];
  cleanup(): void;
}

/** Attaches one loop device per disk, or answers why this machine cannot (not root, no loop devices). */
export function attachLoopDisks(disks: { name: string; sizeMb: number }[]): LoopBench | string {
  if (process.getuid?.() !== 0) return 'needs root to attach loop devices and mount';
  const dir = mkdtempSync(path.join(tmpdir(), 'guest-loop-'));
  const bench: LoopBench = {
    dir,
    mountRoot: mkdtempSync('/mnt/mi-guest-'),
    fstab: path.join(dir, 'fstab'),
    crypttab: path.join(dir, 'crypttab'),
    disks: [],
    cleanup: () => cleanup(bench),
  };
  mkdirSync(path.join(dir, 'by-id'));
  try {
    for (const { name, sizeMb } of disks) {
      const file = path.join(dir, `${name}.img`);
      execFileSync('truncate', ['-s', `${sizeMb}M`, file]);
      const loop = execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim();
      const byId = path.join(dir, 'by-id', `virtio-${name}`);
      symlinkSync(loop, byId);
      bench.disks.push({ name, file, loop, byId });
    }
  } catch (err) {
    cleanup(bench);
    return `losetup failed, so there are no loop devices here: ${(err as Error).message.split('\n')[0]}`;
  }
  return bench;
}

function cleanup(bench: LoopBench): void {
  for (const mounted of mountsUnder(bench.mountRoot).reverse()) spawnSync('umount', [mounted]);
  for (const disk of bench.disks) spawnSync('losetup', ['-d', disk.loop]);
  rmSync(bench.dir, { recursive: true, force: true });
  if (existsSync(bench.mountRoot) && mountsUnder(bench.mountRoot).length === 0)
    rmSync(bench.mountRoot, { recursive: true, force: true });
}

function mountsUnder(root: string): string[] {
  const out = spawnSync('findmnt', ['-rn', '-o', 'TARGET'], { encoding: 'utf8' }).stdout ?? '';
  return out.split('\n').filter((target) => target === root || target.startsWith(`${root}/`));
}

/** Runs a step script with bash as this (root) process would in a guest. */
export function runScript(
  script: string,
  env: Record<string, string>,
  input = '',
): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('bash', ['-c', script], {
    input,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
