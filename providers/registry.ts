import type { Config } from '../config/config';
import type { CloudProvider } from './cloud-provider';
import { ProviderError } from './errors';
import { SimProvider } from './sim/sim-provider';

// Picks the driver by name (Libcloud's get_driver). Drivers not built yet say so instead of pretending.
export function createProvider(config: Pick<Config, 'PROVIDER'>): CloudProvider {
  switch (config.PROVIDER) {
    case 'sim':
      return new SimProvider();
    case 'aws':
    case 'qemu':
      throw new ProviderError('Unsupported', `PROVIDER=${config.PROVIDER} is not available in this version; use PROVIDER=sim`);
  }
}
