import type { MachineImage } from '../domain/image';
import type { CloudProvider } from './cloud-provider';

/** Every own image of a region, page after page (an account holds few enough to read whole). */
export async function allOwnImages(provider: CloudProvider, region: string): Promise<MachineImage[]> {
  const all: MachineImage[] = [];
  let cursor: string | undefined;
  do {
    const page = await provider.listImages(region, { limit: 1000, ...(cursor ? { cursor } : {}) });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}
