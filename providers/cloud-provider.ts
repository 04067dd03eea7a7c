import type { Architecture, MachineImage } from '../domain/image';
import type { Product } from '../domain/product';

// The one interface every cloud driver implements (modelled on Dasein Cloud's support interfaces).
// It grows by issue: images and products first; servers, key pairs, firewalls and volumes next.
export interface CloudProvider {
  /** The driver's registry name: sim, aws, qemu. */
  readonly name: string;
  listRegions(): Promise<string[]>;
  /** Any image the caller may launch from (own or public); throws ProviderError NotFound. */
  getImage(region: string, imageId: string): Promise<MachineImage>;
  listProducts(region: string, filter?: { architecture?: Architecture }): Promise<Product[]>;
}
