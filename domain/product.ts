import type { Architecture } from './image';

// A hardware product (Libcloud's NodeSize): what a server runs on.
export interface Product {
  id: string;
  name: string;
  cpuCount: number;
  memoryGb: number;
  rootDiskGb: number;
  architecture: Architecture;
}

export interface ProductNeed {
  cpu: number;
  memoryGb: number;
  storageGb: number;
}

/** The smallest product (fewest CPUs, then least memory, then least disk) that meets the need, if any. */
export function smallestFittingProduct(products: readonly Product[], need: ProductNeed): Product | undefined {
  return products
    .filter((p) => p.cpuCount >= need.cpu && p.memoryGb >= need.memoryGb && p.rootDiskGb >= need.storageGb)
    .sort((a, b) => a.cpuCount - b.cpuCount || a.memoryGb - b.memoryGb || a.rootDiskGb - b.rootDiskGb)[0];
}
