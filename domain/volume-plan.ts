// A launch's volume request as a plan for the guest: which disks, how they are joined (RAID), whether the
// guest encrypts them (LUKS), which filesystem, where it is mounted. Validated before anything is created.

export const RAID_LEVELS = ['none', 'raid0', 'raid1', 'raid5', 'raid10'] as const;
export type RaidLevel = (typeof RAID_LEVELS)[number];
export const FILESYSTEMS = ['ext4', 'xfs'] as const;
export type Filesystem = (typeof FILESYSTEMS)[number];

/** The fewest disks each level works with; `none` takes exactly one disk. */
export const MIN_DISKS: Record<RaidLevel, number> = { none: 1, raid0: 2, raid1: 2, raid5: 3, raid10: 4 };

/** Mount points that belong to the operating system: mounting a data volume there would break the guest. */
export const RESERVED_MOUNT_POINTS = [
  '/',
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/lib',
  '/lib32',
  '/lib64',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/sys',
  '/tmp',
  '/usr',
  '/var',
];

export interface PlannedDisk {
  sizeGb: number;
  type?: string;
}

export interface VolumePlan {
  disks: PlannedDisk[];
  raid: RaidLevel;
  filesystem: Filesystem;
  mountPoint: string;
  /** LUKS in the guest; the passphrase lives in the key store. */
  encrypt: boolean;
  /** The cloud's own block encryption of each volume. */
  blockEncryption: boolean;
}

export interface PlanProblem {
  /** Field path within the volumes request, for example ['raid'] or ['mountPoint']. */
  path: string[];
  message: string;
}

export function volumePlanProblems(plan: Pick<VolumePlan, 'disks' | 'raid' | 'mountPoint'>): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const count = plan.disks.length;
  const min = MIN_DISKS[plan.raid];
  if (plan.raid === 'none' && count !== 1) {
    problems.push({
      path: ['raid'],
      message: `raid "none" takes exactly 1 disk, not ${count}; use raid0 to join ${count} disks into one filesystem`,
    });
  } else if (count < min) {
    problems.push({
      path: ['raid'],
      message: `${plan.raid} needs at least ${min} disks, not ${count}; add disks or choose another level`,
    });
  } else if (plan.raid === 'raid10' && count % 2 !== 0) {
    problems.push({ path: ['raid'], message: `raid10 needs an even number of disks, not ${count}; add or remove one` });
  }
  const mount = plan.mountPoint;
  if (!mount.startsWith('/')) {
    problems.push({
      path: ['mountPoint'],
      message: `mount point "${mount}" is relative; give an absolute path such as /data`,
    });
  } else if (!/^(\/[A-Za-z0-9._-]+)+$/.test(mount)) {
    problems.push({
      path: ['mountPoint'],
      message: `mount point "${mount}" may hold only letters, digits, . _ - between slashes, with no trailing slash; for example /data`,
    });
  } else if (
    RESERVED_MOUNT_POINTS.some(
      (reserved) => mount === reserved || (reserved !== '/' && reserved !== '/var' && mount.startsWith(`${reserved}/`)),
    )
  ) {
    problems.push({
      path: ['mountPoint'],
      message: `mount point "${mount}" belongs to the operating system; choose another, such as /data`,
    });
  }
  return problems;
}

/** Names derived from the plan alone, so every retry of a step finds what an earlier attempt made. */
export function layoutNames(plan: Pick<VolumePlan, 'mountPoint'>): { array: string; luks: string; label: string } {
  const base =
    plan.mountPoint
      .split('/')
      .filter(Boolean)
      .join('-')
      .replace(/[^A-Za-z0-9_-]/g, '')
      .slice(0, 24) || 'data';
  return { array: base, luks: `${base}-crypt`, label: base.slice(0, 12) };
}

/** The in-guest steps of a plan, each idempotent, each handing its output device to the next. */
export const GUEST_STEP_NAMES = ['raid', 'encrypt', 'format', 'mount'] as const;
export type GuestStepName = (typeof GUEST_STEP_NAMES)[number];

/** The steps a plan needs, in order: raid always (a no-op for `none`), encrypt only when planned, format, mount. */
export function guestSteps(plan: Pick<VolumePlan, 'encrypt'>): GuestStepName[] {
  return plan.encrypt ? ['raid', 'encrypt', 'format', 'mount'] : ['raid', 'format', 'mount'];
}
