import type { Capabilities } from '../../domain/capabilities';
import type { Product } from '../../domain/product';
import { LOCAL_NAMING } from '../local/naming';
import { LOCAL_ACCOUNT_RULE } from '../local/image-shares';

// What the local QEMU cloud offers: one region on this machine, products that map to -smp/-m, and what it can do.

export const QEMU_REGION = 'local';
export const QEMU_ZONE = 'local-a';
export const QEMU_ACCOUNT = 'local';
export const QEMU_PUBLIC_OWNER = 'machine-images';

export interface QemuProduct extends Product {
  memoryMb: number;
}

// The root disk is a qcow2 overlay of this size; cloud-init grows the root filesystem into it at first boot.
export const QEMU_PRODUCTS: readonly QemuProduct[] = [
  {
    id: 'q1.small',
    name: 'q1.small (1 vCPU, 1 GiB)',
    cpuCount: 1,
    memoryGb: 1,
    memoryMb: 1024,
    rootDiskGb: 8,
    architecture: 'x86_64',
  },
  {
    id: 'q1.medium',
    name: 'q1.medium (2 vCPU, 2 GiB)',
    cpuCount: 2,
    memoryGb: 2,
    memoryMb: 2048,
    rootDiskGb: 8,
    architecture: 'x86_64',
  },
  {
    id: 'q1.large',
    name: 'q1.large (2 vCPU, 4 GiB)',
    cpuCount: 2,
    memoryGb: 4,
    memoryMb: 4096,
    rootDiskGb: 16,
    architecture: 'x86_64',
  },
];

/** Hot-plug slots (pcie-root-ports) each guest is started with: q35 refuses hot-plug without them. */
export const QEMU_MAX_VOLUMES_PER_SERVER = 8;

export const QEMU_CAPABILITIES: Capabilities = {
  publicLibrary: true,
  // A consistent qcow2 copy needs the guest off: the capture workflow stops the server first and starts it again.
  captureFrom: ['stopped'],
  clientTokens: true,
  // Volumes are plain qcow2 files; encrypt inside the guest (LUKS) instead.
  blockEncryption: false,
  maxVolumesPerServer: QEMU_MAX_VOLUMES_PER_SERVER,
  // User-mode networking forwards IPv4 ports on the loopback only.
  ipv6Firewall: false,
  labels: true,
  deprecation: true,
  disableImage: true,
  naming: LOCAL_NAMING,
  imageSharing: { account: LOCAL_ACCOUNT_RULE },
};
