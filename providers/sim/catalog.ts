import type { Architecture, MachineImage } from '../../domain/image';
import type { Product } from '../../domain/product';

// The simulated cloud's seeded world: regions and zones, products, and a public image library of dated builds.
export const SIM_REGIONS = { 'sim-east-1': ['a', 'b', 'c'], 'sim-west-1': ['a', 'b', 'c'] } as const;
export const SIM_PUBLIC_OWNER = 'sim-public';
export const SIM_ACCOUNT = 'sim-account';

const sizes = [
  { suffix: 'micro', cpuCount: 1, memoryGb: 1, rootDiskGb: 10 },
  { suffix: 'small', cpuCount: 1, memoryGb: 2, rootDiskGb: 20 },
  { suffix: 'medium', cpuCount: 2, memoryGb: 4, rootDiskGb: 40 },
  { suffix: 'large', cpuCount: 4, memoryGb: 16, rootDiskGb: 80 },
  { suffix: 'xlarge', cpuCount: 8, memoryGb: 32, rootDiskGb: 160 },
  { suffix: '8xlarge', cpuCount: 32, memoryGb: 128, rootDiskGb: 640 },
];

export const SIM_PRODUCTS: Product[] = (['x86_64', 'arm64'] as const).flatMap((architecture) =>
  sizes.map(({ suffix, ...size }) => {
    const id = `${architecture === 'arm64' ? 'a1' : 'm1'}.${suffix}`;
    return { id, name: `${id} (${size.cpuCount} vCPU, ${size.memoryGb} GiB)`, architecture, ...size };
  }),
);

interface Family {
  platform: string;
  name: string;
  versions: string[];
  architectures: Architecture[];
  minDiskGb: number;
}

const FAMILIES: Family[] = [
  {
    platform: 'ubuntu',
    name: 'ubuntu',
    versions: ['22.04', '24.04'],
    architectures: ['x86_64', 'arm64'],
    minDiskGb: 8,
  },
  { platform: 'debian', name: 'debian', versions: ['11', '12'], architectures: ['x86_64', 'arm64'], minDiskGb: 8 },
  {
    platform: 'amazon-linux',
    name: 'amazon-linux',
    versions: ['2', '2023'],
    architectures: ['x86_64', 'arm64'],
    minDiskGb: 8,
  },
  { platform: 'rhel', name: 'rhel', versions: ['8.10', '9.4'], architectures: ['x86_64', 'arm64'], minDiskGb: 10 },
  { platform: 'rocky', name: 'rocky', versions: ['8.10', '9.4'], architectures: ['x86_64'], minDiskGb: 10 },
  { platform: 'windows', name: 'windows-server', versions: ['2019', '2022'], architectures: ['x86_64'], minDiskGb: 30 },
];

/** Three dated builds of every version: the newest available, older ones deprecated (as providers retire them). */
const BUILDS = ['20260105', '20260305', '20260505'];

/**
 * The public library of a region. Ids are stable (`img-<region>-<ordinal>`), so every process that shares
 * the sim, and every test, sees the same catalog. Ordinals: family by family, version, architecture, build.
 */
export function seedPublicImages(region: string): MachineImage[] {
  let n = 0;
  const regionKey = region.replace(/[^a-z0-9]/g, '');
  return FAMILIES.flatMap((family) =>
    family.versions.flatMap((version) =>
      family.architectures.flatMap((architecture) =>
        BUILDS.map((build, index): MachineImage => {
          n += 1;
          const newest = index === BUILDS.length - 1;
          return {
            id: `img-${regionKey}-${String(n).padStart(4, '0')}`,
            provider: 'sim',
            region,
            name: `${family.name}-${version}-${architecture}-${build}`,
            description: `${family.name} ${version} (${architecture}), build ${build}, provided by the simulated cloud`,
            ownerId: SIM_PUBLIC_OWNER,
            visibility: 'public',
            state: newest ? 'available' : 'deprecated',
            ...(newest ? {} : { stateReason: 'superseded by a newer build of this version' }),
            architecture,
            platform: family.platform,
            createdAt: `${build.slice(0, 4)}-${build.slice(4, 6)}-${build.slice(6)}T00:00:00.000Z`,
            minDiskGb: family.minDiskGb,
            tags: { family: `${family.name}-${version}`, version: build },
            extra: {},
          };
        }),
      ),
    ),
  );
}
