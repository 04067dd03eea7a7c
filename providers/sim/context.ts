import { randomBytes } from 'node:crypto';
import { ProviderError } from '../../domain/cloud-errors';
import { SIM_REGIONS } from './catalog';
import type { FaultInjector } from './faults';
import type { RecordStore } from '../local/record-store';
import type { SimClock } from './timeline';

/** Account limits of the simulated cloud; going over answers QuotaExceeded, as a real account would. */
export interface SimQuotas {
  servers: number;
  volumes: number;
}

export const DEFAULT_SIM_QUOTAS: SimQuotas = { servers: 100, volumes: 300 };

/** What every part of the sim shares. */
export interface SimContext {
  store: RecordStore;
  clock: SimClock;
  faults: FaultInjector;
  quotas: SimQuotas;
  /** The account this driver acts as: its captures are this account's, and others' images show only when shared. */
  account: string;
}

export type SimRegion = keyof typeof SIM_REGIONS;

export function requireRegion(region: string): SimRegion {
  if (!(region in SIM_REGIONS)) {
    throw new ProviderError(
      'InvalidInput',
      `region ${region} does not exist; choose one of ${Object.keys(SIM_REGIONS).join(', ')}`,
    );
  }
  return region as SimRegion;
}

export function zonesOf(region: string): string[] {
  return SIM_REGIONS[requireRegion(region)].map((letter) => `${region}${letter}`);
}

export function requireZone(region: string, zone: string | undefined): string {
  const zones = zonesOf(region);
  if (zone === undefined) return zones[0]!;
  if (!zones.includes(zone))
    throw new ProviderError(
      'InvalidInput',
      `zone ${zone} is not in region ${region}; choose one of ${zones.join(', ')}`,
    );
  return zone;
}

/** Cloud-looking ids: a prefix and 17 hex digits, as EC2's. */
export const newId = (prefix: string): string => `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;

export const notFound = (what: string, id: string): ProviderError =>
  new ProviderError('NotFound', `${what} ${id} does not exist`);

export { applyTags, hasTag } from '../local/tags';
