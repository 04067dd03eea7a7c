import { ApplicationFailure } from '@temporalio/common';
import { LAUNCHABLE_IMAGE_STATES } from '../domain/image';
import type { LaunchPlan } from '../domain/launch';
import type { LaunchRequest } from '../domain/launch-request';
import { smallestFittingProduct } from '../domain/product';
import type { ActivityDeps } from './deps';

const refuse = (type: string, message: string) => ApplicationFailure.nonRetryable(message, type);

/** Settles image, product and zone, and checks every named resource, before anything is created. */
export async function preflight({ provider, guest }: ActivityDeps, request: LaunchRequest): Promise<LaunchPlan> {
  const { region } = request;
  const capabilities = await provider.capabilities(region);
  const rule = capabilities.naming.server;
  if (request.name.length > rule.maxLength || !new RegExp(rule.pattern).test(request.name)) {
    throw refuse('InvalidName', `name "${request.name}" does not fit ${provider.name}'s server names: ${rule.hint}`);
  }
  const image = await provider.getImage(region, request.imageId);
  if (!LAUNCHABLE_IMAGE_STATES.includes(image.state)) {
    throw refuse(
      'ImageNotLaunchable',
      `image ${image.id} is ${image.state}${image.stateReason ? ` (${image.stateReason})` : ''}; choose an available image`,
    );
  }
  const products = await provider.listProducts(region, { architecture: image.architecture });
  const choice = request.product;
  const product =
    'productId' in choice ? products.find((p) => p.id === choice.productId) : smallestFittingProduct(products, choice);
  if (!product) {
    const wanted =
      'productId' in choice
        ? `product ${choice.productId}`
        : `a product with ${choice.cpu} CPU, ${choice.memoryGb} GiB memory, ${choice.storageGb} GiB storage`;
    const offered =
      products
        .map((p) => p.id)
        .slice(0, 20)
        .join(', ') || 'none';
    throw refuse(
      'ProductUnavailable',
      `${wanted} is not offered for ${image.architecture} images in ${region}; choose one of ${offered}`,
    );
  }
  if (product.rootDiskGb > 0 && product.rootDiskGb < image.minDiskGb) {
    throw refuse(
      'ProductUnavailable',
      `product ${product.id} has a ${product.rootDiskGb} GiB root disk but image ${image.id} needs ${image.minDiskGb} GiB; choose a larger product`,
    );
  }
  const zones = await provider.listZones(region);
  const zone = request.zone ?? zones[0];
  if (!zone || !zones.includes(zone))
    throw refuse('InvalidZone', `zone ${request.zone} is not in region ${region}; choose one of ${zones.join(', ')}`);

  if (request.firewall && 'ids' in request.firewall) {
    const ids = request.firewall.ids;
    const found = await provider.listFirewalls(region, { ids });
    const missing = ids.filter((id) => !found.some((f) => f.id === id));
    if (missing.length)
      throw refuse(
        'NotFound',
        `firewall ${missing.join(', ')} does not exist in ${region}; choose an existing one or create one`,
      );
  }
  if (request.keypair && 'name' in request.keypair) {
    const name = request.keypair.name;
    const keypairs = await provider.listKeypairs(region);
    if (!keypairs.some((k) => k.name === name))
      throw refuse('NotFound', `key pair "${name}" does not exist in ${region}; choose an existing one or create one`);
  }
  const volumes = request.volumes;
  if (volumes) {
    const count = volumes.disks?.length ?? volumes.count ?? 0;
    if (count > capabilities.maxVolumesPerServer) {
      throw refuse(
        'TooManyVolumes',
        `${count} volumes is more than ${provider.name} attaches to one server (${capabilities.maxVolumesPerServer}); use fewer, larger disks`,
      );
    }
    if (volumes.blockEncryption && !capabilities.blockEncryption)
      throw refuse(
        'Unsupported',
        `${provider.name} has no block encryption; set blockEncryption to false and use encrypt (LUKS)`,
      );
    if (!guest)
      throw refuse(
        'GuestUnavailable',
        'volume preparation needs a guest executor, and GUEST_EXECUTOR is none here; launch without volumes or configure one',
      );
  }
  const replacement =
    image.tags['replaced-by'] ??
    (typeof image.extra.replacementId === 'string' ? image.extra.replacementId : undefined);
  const warnings =
    image.state === 'deprecated'
      ? [
          `image ${image.id} is deprecated; ${replacement ? `its replacement is ${replacement}` : 'launch from a current image or your own copy'}`,
        ]
      : [];
  return {
    image: {
      id: image.id,
      name: image.name,
      state: image.state,
      architecture: image.architecture,
      platform: image.platform,
    },
    product,
    zone,
    provider: provider.name,
    guest: guest !== undefined,
    warnings,
  };
}
