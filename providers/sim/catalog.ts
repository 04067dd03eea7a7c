import type { Architecture, MachineImage } from '../../domain/image';
import type { Product } from '../../domain/product';

// The simulated cloud's seeded world: regions, products and a public image library.
export const SIM_REGIONS = ['sim-east-1', 'sim-west-1'] as const;
export const SIM_PUBLIC_OWNER = 'sim-public';

const sizes = [
  { suffix: 'small', cpuCount: 1, memoryGb: 2, rootDiskGb: 20 },
  { suffix: 'medium', cpuCount: 2, memoryGb: 4, rootDiskGb: 40 },
  { suffix: 'large', cpuCount: 4, memoryGb: 16, rootDiskGb: 80 },
  { suffix: 'xlarge', cpuCount: 8, memoryGb: 32, rootDiskGb: 160 },
];

export const SIM_PRODUCTS: Product[] = (['x86_64', 'arm64'] as const).flatMap((architecture) =>
  sizes.map(({ suffix, ...size }) => {
    const id = `${architecture === 'arm64' ? 'a1' : 'm1'}.${suffix}`;
    return { id, name: `${id} (${size.cpuCount} vCPU, ${size.memoryGb} GiB)`, architecture, ...size };
  }),
);

const families: { platform: string; name: string; versions: string[]; architectures: Architecture[] }[] = [
  { platform: 'ubuntu', name: 'ubuntu', versions: ['22.04', '24.04'], architectures: ['x86_64', 'arm64'] },
  { platform: 'debian', name: 'debian', versions: ['11', '12'], architectures: ['x86_64', 'arm64'] },
  { platform: 'rhel', name: 'rhel', versions: ['9.4'], architectures: ['x86_64'] },
  { platform: 'windows', name: 'windows-server', versions: ['2022'], architectures: ['x86_64'] },
];

/** Stable ids (the same seed gives the same catalog in every process that shares the sim). */
export function seedPublicImages(region: string): MachineImage[] {
  let n = 0;
  return families.flatMap((family) =>
    family.versions.flatMap((version, versionIndex) =>
      family.architectures.map((architecture): MachineImage => {
        n += 1;
        const oldest = versionIndex === 0 && family.versions.length > 1;
        return {
          id: `img-${region.replace(/[^a-z0-9]/g, '')}-${String(n).padStart(4, '0')}`,
          provider: 'sim',
          region,
          name: `${family.name}-${version}-${architecture}-base`,
          description: `${family.name} ${version} (${architecture}), provided by the simulated cloud`,
          ownerId: SIM_PUBLIC_OWNER,
          visibility: 'public',
          state: oldest ? 'deprecated' : 'available',
          ...(oldest ? { stateReason: 'a newer version of this family exists' } : {}),
          architecture,
          platform: family.platform,
          createdAt: new Date(Date.UTC(2026, 0, 1 + n)).toISOString(),
          minDiskGb: family.platform === 'windows' ? 40 : 8,
          tags: { family: `${family.name}-${version}-base` },
          extra: {},
        };
      }),
    ),
  );
}
