import { ApplicationFailure } from '@temporalio/common';
import { LAUNCHABLE_IMAGE_STATES } from '../domain/image';
import type { LaunchPlan } from '../domain/launch';
import type { LaunchRequest } from '../domain/launch-request';
import { smallestFittingProduct } from '../domain/product';
import type { CloudProvider } from '../providers/cloud-provider';
import { callProvider } from './provider-failure';

/** Settles the image and product before anything is created; a request that cannot launch fails fast, for good. */
export async function preflight(provider: CloudProvider, request: LaunchRequest): Promise<LaunchPlan> {
  const image = await callProvider(() => provider.getImage(request.region, request.imageId));
  if (!LAUNCHABLE_IMAGE_STATES.includes(image.state)) {
    throw ApplicationFailure.nonRetryable(
      `image ${image.id} is ${image.state}${image.stateReason ? ` (${image.stateReason})` : ''}; choose an available image`,
      'ImageNotLaunchable',
    );
  }
  const products = await callProvider(() => provider.listProducts(request.region, { architecture: image.architecture }));
  const choice = request.product;
  const product =
    'productId' in choice ? products.find((p) => p.id === choice.productId) : smallestFittingProduct(products, choice);
  if (!product) {
    const wanted = 'productId' in choice ? `product ${choice.productId}` : `a product with ${choice.cpu} CPU, ${choice.memoryGb} GiB memory, ${choice.storageGb} GiB storage`;
    throw ApplicationFailure.nonRetryable(
      `${wanted} is not offered for ${image.architecture} images in ${request.region}; choose one of ${products.map((p) => p.id).join(', ') || 'none'}`,
      'ProductUnavailable',
    );
  }
  if (product.rootDiskGb < image.minDiskGb) {
    throw ApplicationFailure.nonRetryable(
      `product ${product.id} has a ${product.rootDiskGb} GiB root disk but image ${image.id} needs ${image.minDiskGb} GiB; choose a larger product`,
      'ProductUnavailable',
    );
  }
  const warnings = image.state === 'deprecated' ? [`image ${image.id} is deprecated; launch from a current image or your own copy`] : [];
  return {
    image: { id: image.id, name: image.name, state: image.state, architecture: image.architecture, platform: image.platform },
    product,
    warnings,
  };
}
