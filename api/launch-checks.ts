import { isIpv6Cidr } from '../domain/cidr';
import type { LaunchRequest } from '../domain/launch-request';
import type { CatalogCache } from './catalog-cache';
import { ApiError } from './errors';

const invalid = (field: string, message: string) => new ApiError(400, 'invalid_request', `${field}: ${message}`);

/**
 * What the catalog can answer before a launch starts: the region, the zone, a named product, and whether the cloud
 * takes the volumes as asked (their count, types and block encryption). Only what needs the cloud's answer at that
 * moment (capacity, quotas, throttling) is left to fail after the 202. The answers come through a short cache.
 */
export async function requireFeasibleLaunch(catalog: CatalogCache, request: LaunchRequest): Promise<void> {
  const { region } = request;
  const cloud = catalog.providerName;
  const regions = await catalog.regions();
  if (!regions.includes(region))
    throw invalid(
      'body.region',
      `"${region}" is not a region of ${cloud}; choose one of ${regions.slice(0, 20).join(', ')}`,
    );
  if (request.zone) {
    const zones = await catalog.zones(region);
    if (!zones.includes(request.zone))
      throw invalid('body.zone', `"${request.zone}" is not in region ${region}; choose one of ${zones.join(', ')}`);
  }
  const product = request.product;
  if ('productId' in product && !(await catalog.products(region)).some((p) => p.id === product.productId)) {
    throw invalid(
      'body.product.productId',
      `"${product.productId}" is not a product of ${region}; GET /v1/products?region=${region} lists them`,
    );
  }
  const capabilities = await catalog.capabilities(region);
  const firewall = request.firewall;
  if (firewall && 'create' in firewall && !capabilities.ipv6Firewall) {
    const index = firewall.create.rules.findIndex((rule) => isIpv6Cidr(rule.cidr));
    if (index >= 0)
      throw invalid(
        `body.firewall.create.rules.${index}.cidr`,
        `${cloud} firewalls take IPv4 sources only; give an IPv4 CIDR`,
      );
  }
  const volumes = request.volumes;
  if (!volumes) return;
  const count = volumes.disks?.length ?? volumes.count ?? 0;
  if (count > capabilities.maxVolumesPerServer) {
    throw invalid(
      'body.volumes',
      `${count} volumes is more than ${cloud} attaches to one server (${capabilities.maxVolumesPerServer}); use fewer, larger disks`,
    );
  }
  if (volumes.blockEncryption && !capabilities.blockEncryption) {
    throw invalid(
      'body.volumes.blockEncryption',
      `${cloud} has no block encryption; set it to false and use encrypt (LUKS in the guest)`,
    );
  }
  const types = capabilities.volumeTypes;
  (volumes.disks ?? []).forEach((disk, index) => {
    if (disk.type && types && !types.includes(disk.type)) {
      throw invalid(
        `body.volumes.disks.${index}.type`,
        `"${disk.type}" is not a disk type of ${cloud}; choose one of ${types.join(', ')}`,
      );
    }
  });
}
