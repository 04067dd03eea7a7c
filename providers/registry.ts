import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config';
import { AwsProvider } from './aws/aws-provider';
import type { CloudProvider } from './cloud-provider';
import { ProviderError } from './errors';
import { parseFaultPlan } from './sim/faults';
import { SimProvider } from './sim/sim-provider';

export type ProviderConfig = Pick<Config, 'PROVIDER' | 'DATA_DIR' | 'SIM_TIME_SCALE' | 'SIM_FAULTS' | 'AWS_ENDPOINT_URL' | 'AWS_REGION'>;

// Picks the driver by name (Libcloud's get_driver). Drivers not built yet say so instead of pretending.
export function createProvider(config: ProviderConfig): CloudProvider {
  switch (config.PROVIDER) {
    case 'sim': {
      mkdirSync(config.DATA_DIR, { recursive: true });
      return new SimProvider({
        dbFile: path.join(config.DATA_DIR, 'sim-cloud.db'),
        timeScale: config.SIM_TIME_SCALE,
        faults: parseFaultPlan(config.SIM_FAULTS),
      });
    }
    case 'aws':
      return new AwsProvider({
        ...(config.AWS_REGION ? { region: config.AWS_REGION } : {}),
        ...(config.AWS_ENDPOINT_URL ? { endpoint: config.AWS_ENDPOINT_URL } : {}),
      });
    case 'qemu':
      throw new ProviderError('Unsupported', `PROVIDER=qemu is not available in this version; use PROVIDER=sim or PROVIDER=aws`);
  }
}
