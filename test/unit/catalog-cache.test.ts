import { describe, expect, it } from 'vitest';
import { CatalogCache } from '../../api/catalog-cache';
import { requireFeasibleLaunch } from '../../api/launch-checks';
import type { LaunchRequest } from '../../domain/launch-request';
import { SimProvider } from '../../providers/sim/sim-provider';

// Launches check the catalog before their 202; the answers are reused for a minute, so a burst of launches costs the
// cloud one call per kind and region, not one per launch.
describe('the catalog cache before a launch', () => {
  const request = {
    region: 'sim-east-1',
    product: { productId: 'm1.small' },
    volumes: { count: 2, sizeGiB: 10 },
  } as unknown as LaunchRequest;

  function counted(provider: SimProvider) {
    const calls = { listRegions: 0, listProducts: 0, capabilities: 0 };
    for (const name of Object.keys(calls) as (keyof typeof calls)[]) {
      const original = provider[name].bind(provider) as (...args: never[]) => Promise<unknown>;
      (provider as unknown as Record<string, unknown>)[name] = (...args: never[]) => {
        calls[name]++;
        return original(...args);
      };
    }
    return calls;
  }

  it('asks the cloud once per kind within the TTL, again after it, and keeps no failure', async () => {
    const provider = new SimProvider({ timeScale: 0 });
    const calls = counted(provider);
    let now = 0;
    const catalog = new CatalogCache(provider, 60_000, () => now);
    await Promise.all(Array.from({ length: 20 }, () => requireFeasibleLaunch(catalog, request)));
    expect(calls).toEqual({ listRegions: 1, listProducts: 1, capabilities: 1 });

    now = 60_001;
    await requireFeasibleLaunch(catalog, request);
    expect(calls).toEqual({ listRegions: 2, listProducts: 2, capabilities: 2 });

    // A product the cloud does not have is still refused from the cached list, naming the field.
    await expect(
      requireFeasibleLaunch(catalog, { ...request, product: { productId: 'nope.huge' } } as LaunchRequest),
    ).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('body.product.productId'),
    });
    expect(calls.listProducts).toBe(2);

    // A failed call is not remembered: the next launch asks again.
    let asked = 0;
    const flaky = {
      name: 'sim',
      listRegions: () => (++asked === 1 ? Promise.reject(new Error('throttled')) : Promise.resolve(['sim-east-1'])),
    };
    const failing = new CatalogCache(flaky as unknown as SimProvider, 60_000, () => now);
    await expect(failing.regions()).rejects.toThrow('throttled');
    await expect(failing.regions()).resolves.toEqual(['sim-east-1']);
    expect(asked).toBe(2);
  });

  it('refuses an IPv6 source on a cloud whose firewalls take IPv4 only, naming the rule', async () => {
    const provider = new SimProvider({ timeScale: 0 });
    const ipv4Only = Object.assign(Object.create(provider) as SimProvider, {
      name: 'qemu',
      capabilities: async (region: string) => ({ ...(await provider.capabilities(region)), ipv6Firewall: false }),
    });
    const rules = [
      { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.0/24' },
      { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '2001:db8::/32' },
    ];
    const launch = { ...request, firewall: { create: { rules } } } as unknown as LaunchRequest;
    await expect(requireFeasibleLaunch(new CatalogCache(ipv4Only), launch)).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/^body\.firewall\.create\.rules\.1\.cidr: qemu firewalls take IPv4 sources only/),
    });
    await expect(requireFeasibleLaunch(new CatalogCache(provider), launch)).resolves.toBeUndefined();
  });
});
