import { afterAll, beforeAll } from 'vitest';
import { AwsProvider } from '../../providers/aws/aws-provider';
import { startMoto, type Moto } from '../support/moto';
import { providerContract } from './contract';

// The EC2 driver against moto's EC2 server on loopback. moto makes transitions instant and ignores client tokens;
// the driver relies on neither, and the sim's own tests cover timing and faults.
let moto: Moto;
let provider: AwsProvider;
beforeAll(async () => {
  moto = await startMoto();
  provider = new AwsProvider({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
});
afterAll(async () => moto?.stop());

providerContract('aws (moto)', () => ({
  provider,
  region: 'us-east-1',
  settleMs: 10_000,
  cannot: {
    deprecation: 'moto does not implement EnableImageDeprecation',
    disableImage: 'moto does not implement DisableImage/EnableImage',
    imageDescription: 'moto accepts ModifyImageAttribute Description but keeps the old description',
    sharedWithUs:
      'moto keeps each account’s images in a backend of its own, so no other account’s image reaches this one',
  },
  sharing: { accounts: ['111122223333', '444455556666'] },
}));
