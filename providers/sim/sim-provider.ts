import type { Architecture, MachineImage } from '../../domain/image';
import type { Product } from '../../domain/product';
import type { CloudProvider } from '../cloud-provider';
import { ProviderError } from '../errors';
import { SIM_PRODUCTS, SIM_REGIONS, seedPublicImages } from './catalog';

// The embedded default cloud. For now the seeded public library and products, in memory;
// servers, volumes and SQLite persistence arrive with the rest of the interface.
export class SimProvider implements CloudProvider {
  readonly name = 'sim';
  private readonly images = new Map<string, MachineImage>(
    SIM_REGIONS.flatMap((region) => seedPublicImages(region)).map((image) => [image.id, image]),
  );

  async listRegions(): Promise<string[]> {
    return [...SIM_REGIONS];
  }

  async getImage(region: string, imageId: string): Promise<MachineImage> {
    this.requireRegion(region);
    const image = this.images.get(imageId);
    if (!image || image.region !== region) {
      throw new ProviderError('NotFound', `image ${imageId} does not exist in region ${region}`);
    }
    return structuredClone(image);
  }

  async listProducts(region: string, filter: { architecture?: Architecture } = {}): Promise<Product[]> {
    this.requireRegion(region);
    return SIM_PRODUCTS.filter((p) => !filter.architecture || p.architecture === filter.architecture).map((p) => ({ ...p }));
  }

  private requireRegion(region: string): void {
    if (!(SIM_REGIONS as readonly string[]).includes(region)) {
      throw new ProviderError('InvalidInput', `region ${region} does not exist; choose one of ${SIM_REGIONS.join(', ')}`);
    }
  }
}
