import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config';
import { AwsProvider } from './aws/aws-provider';
import type { CloudProvider } from './cloud-provider';
import { baseImageDir } from './qemu/base-image';
import { QemuProvider } from './qemu/qemu-provider';
import { parseFaultPlan } from './sim/faults';
import { parseSimCapabilities } from './sim/sim-capabilities';
import { SimProvider } from './sim/sim-provider';

export type ProviderConfig = Pick<
  Config,
  | 'PROVIDER'
  | 'DATA_DIR'
  | 'SIM_TIME_SCALE'
  | 'SIM_FAULTS'
  | 'SIM_ACCOUNT_ID'
  | 'SIM_CAPABILITIES'
  | 'AWS_ENDPOINT_URL'
  | 'AWS_REGION'
  | 'QEMU_IMAGE_CACHE'
  | 'QEMU_ACCEL'
  | 'QEMU_MAX_GUESTS'
  | 'QEMU_MAX_MEMORY_MB'
>;

// Picks the driver by name (Libcloud's get_driver). Drivers not built yet say so instead of pretending.
export function createProvider(config: ProviderConfig): CloudProvider {
  switch (config.PROVIDER) {
    case 'sim': {
      mkdirSync(config.DATA_DIR, { recursive: true, mode: 0o700 });
      return new SimProvider({
        dbFile: path.join(config.DATA_DIR, 'sim-cloud.db'),
        timeScale: config.SIM_TIME_SCALE,
        faults: parseFaultPlan(config.SIM_FAULTS),
        account: config.SIM_ACCOUNT_ID,
        capabilities: parseSimCapabilities(config.SIM_CAPABILITIES),
      });
    }
    case 'aws':
      return new AwsProvider({
        ...(config.AWS_REGION ? { region: config.AWS_REGION } : {}),
        ...(config.AWS_ENDPOINT_URL ? { endpoint: config.AWS_ENDPOINT_URL } : {}),
      });
    case 'qemu':
      return new QemuProvider({
        // Absolute: QEMU runs daemonized from /, and overlays name their backing files.
        root: path.resolve(config.DATA_DIR, 'qemu'),
        baseImageDir: baseImageDir(config.QEMU_IMAGE_CACHE),
        accel: config.QEMU_ACCEL,
        limits: { guests: config.QEMU_MAX_GUESTS, memoryMb: config.QEMU_MAX_MEMORY_MB },
      });
  }
}
