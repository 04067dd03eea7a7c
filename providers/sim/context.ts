import { randomBytes } from 'node:crypto';
import { ProviderError } from '../../domain/cloud-errors';
import { SIM_REGIONS } from './catalog';
import type { FaultInjector } from './faults';
import type { SimStore } from './store';
import type { SimClock } from './timeline';

/** Account limits of the simulated cloud; going over answers QuotaExceeded, as a real account would. */
export interface SimQuotas {
  servers: number;
  volumes: number;
}

export const DEFAULT_SIM_QUOTAS: SimQuotas = { servers: 100, volumes: 300 };

/** What every part of the sim shares. */
export interface SimContext {
  store: SimStore;
  clock: SimClock;
  faults: FaultInjector;
  quotas: SimQuotas;
}

export type SimRegion = keyof typeof SIM_REGIONS;

export function requireRegion(region: string): SimRegion {
  if (!(region in SIM_REGIONS)) {
    throw new ProviderError('InvalidInput', `region ${region} does not exist; choose one of ${Object.keys(SIM_REGIONS).join(', ')}`);
  }
  return region as SimRegion;
}

export function zonesOf(region: string): string[] {
  return SIM_REGIONS[requireRegion(region)].map((letter) => `${region}${letter}`);
}

export function requireZone(region: string, zone: string | undefined): string {
  const zones = zonesOf(region);
  if (zone === undefined) return zones[0]!;
  if (!zones.includes(zone)) throw new ProviderError('InvalidInput', `zone ${zone} is not in region ${region}; choose one of ${zones.join(', ')}`);
  return zone;
}

/** Cloud-looking ids: a prefix and 17 hex digits, as EC2's. */
export const newId = (prefix: string): string => `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;

export const notFound = (what: string, id: string): ProviderError => new ProviderError('NotFound', `${what} ${id} does not exist`);

export function hasTag(tags: Record<string, string>, tag: { key: string; value?: string } | undefined): boolean {
  if (!tag) return true;
  return tag.key in tags && (tag.value === undefined || tags[tag.key] === tag.value);
}

/** Applies tag changes: an empty value removes the tag (as the interface's updateImage promises). */
export function applyTags(tags: Record<string, string>, changes: Record<string, string> | undefined): Record<string, string> {
  const next = { ...tags };
  for (const [key, value] of Object.entries(changes ?? {})) {
    if (value === '') delete next[key];
    else next[key] = value;
  }
  return next;
}
