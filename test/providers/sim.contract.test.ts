import { afterAll } from 'vitest';
import { SimProvider } from '../../providers/sim/sim-provider';
import { providerContract } from './contract';

const provider = new SimProvider({ timeScale: 0 });
afterAll(() => provider.close());

providerContract('sim', () => ({ provider, region: 'sim-east-1', settleMs: 2_000 }));
