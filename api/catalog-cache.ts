import type { Capabilities } from '../domain/capabilities';
import type { Product } from '../domain/product';
import type { CloudProvider } from '../providers/cloud-provider';

/** How long a catalog answer is reused: long enough to spare the cloud a call per launch, short enough to see a new product soon. */
export const CATALOG_TTL_MS = 60_000;

/**
 * The catalog's slow-changing answers (regions, zones, products, capabilities), kept briefly. Every launch checks
 * them before its 202, and on a real cloud each is an API call that counts against the account's rate. Keys are
 * only regions the cloud named, so the map stays as small as the cloud. A failed call is not kept.
 */
export class CatalogCache {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(
    private readonly provider: CloudProvider,
    private readonly ttlMs = CATALOG_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get providerName(): string {
    return this.provider.name;
  }

  regions(): Promise<string[]> {
    return this.remembered('regions', () => this.provider.listRegions());
  }

  zones(region: string): Promise<string[]> {
    return this.remembered(`zones:${region}`, () => this.provider.listZones(region));
  }

  products(region: string): Promise<Product[]> {
    return this.remembered(`products:${region}`, () => this.provider.listProducts(region));
  }

  capabilities(region: string): Promise<Capabilities> {
    return this.remembered(`capabilities:${region}`, () => this.provider.capabilities(region));
  }

  private remembered<T>(key: string, load: () => Promise<T>): Promise<T> {
    const kept = this.entries.get(key);
    if (kept && this.now() - kept.at < this.ttlMs) return kept.value as Promise<T>;
    // Concurrent launches share one call in flight.
    const value = load();
    this.entries.set(key, { at: this.now(), value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }
}
