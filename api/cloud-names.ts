import type { Capabilities } from '../domain/capabilities';
import type { CatalogCache } from './catalog-cache';
import { ApiError } from './errors';

const WORDS: Record<keyof Capabilities['naming'], string> = {
  server: 'server',
  image: 'image',
  keypair: 'key pair',
  firewall: 'firewall',
};

/** A name the region's cloud would refuse (capabilities().naming) is the caller's 400 now, naming the field. */
export async function requireCloudName(
  catalog: CatalogCache,
  region: string,
  kind: keyof Capabilities['naming'],
  name: string,
  field: string,
): Promise<void> {
  const rule = (await catalog.capabilities(region)).naming[kind];
  if (name.length < rule.minLength || name.length > rule.maxLength || !new RegExp(rule.pattern).test(name)) {
    throw new ApiError(
      400,
      'invalid_request',
      `${field}: "${name.slice(0, 200)}" does not fit ${catalog.providerName}'s ${WORDS[kind]} names; ${rule.hint}`,
    );
  }
}

/** A region the cloud has, or the caller's 400 naming the field. */
export async function requireRegion(catalog: CatalogCache, region: string, field: string): Promise<void> {
  const regions = await catalog.regions();
  if (!regions.includes(region))
    throw new ApiError(
      400,
      'invalid_request',
      `${field}: "${region}" is not a region of ${catalog.providerName}; choose one of ${regions.slice(0, 20).join(', ')}`,
    );
}
