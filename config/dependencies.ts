import type { PayloadCodec } from '@temporalio/common';
import type { GuestExecutor } from '../guest/executor';
import { SimGuestExecutor } from '../providers/sim/sim-guest-executor';
import { SshGuestExecutor } from '../guest/ssh-executor';
import type { CloudProvider } from '../providers/cloud-provider';
import { createProvider } from '../providers/registry';
import { SimProvider } from '../providers/sim/sim-provider';
import { FileKeyStore } from '../secrets/file-key-store';
import type { KeyStore } from '../secrets/key-store';
import { provisioningKey } from '../secrets/provisioning-key';
import { keyStoreFile, keyStoreKeyring, payloadCodecs } from '../secrets/service-keyrings';
import type { Config } from './config';
import { privateDataDir } from './data-dir';

/** What the worker's activities and the API share: the cloud, the key store, and the guest executor. */
export interface ServiceDeps {
  provider: CloudProvider;
  keys: KeyStore;
  guest?: GuestExecutor;
  /** For every Temporal client and worker: the payload encryption codec (none with PAYLOAD_CODEC=off), built once. */
  payloadCodecs: PayloadCodec[];
}

/** EBS volumes show up as NVMe disks whose by-id name carries the volume id without its hyphen. */
const ebsDevicePath = (volumeId: string) =>
  `/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${volumeId.replace('-', '')}`;

export async function createServiceDeps(config: Config): Promise<ServiceDeps> {
  privateDataDir(config.DATA_DIR);
  const provider = createProvider(config);
  const keys = new FileKeyStore(keyStoreFile(config), keyStoreKeyring(config));
  const codecs = payloadCodecs(config);
  const kind =
    config.GUEST_EXECUTOR === 'auto' ? (provider instanceof SimProvider ? 'sim' : 'ssh') : config.GUEST_EXECUTOR;
  if (kind === 'none') return { provider, keys, payloadCodecs: codecs };
  if (kind === 'sim') {
    if (!(provider instanceof SimProvider))
      throw new Error(`GUEST_EXECUTOR=sim needs PROVIDER=sim, not ${provider.name}; use ssh or none`);
    return { provider, keys, payloadCodecs: codecs, guest: new SimGuestExecutor(provider) };
  }
  const key = await provisioningKey(keys);
  const guest = new SshGuestExecutor({
    username: config.GUEST_SSH_USER,
    privateKey: key.privateKeyPem,
    ...(provider.name === 'aws' ? { devicePath: ebsDevicePath } : {}),
  });
  return { provider, keys, payloadCodecs: codecs, guest };
}
