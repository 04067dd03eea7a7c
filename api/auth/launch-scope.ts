import type { Principal } from '../../domain/access';
import type { LaunchRequest } from '../../domain/launch-request';
import type { CloudProvider } from '../../providers/cloud-provider';
import { notFound } from '../errors';
import type { ImageCatalog } from '../image-catalog';
import { visibleImage } from './image-scope';
import { canUseShared } from './scope';

/**
 * A launch may use only what its caller may see: the image, and the firewalls and key pair it names. Whatever is
 * missing or another group's is refused here with the same 404, before anything starts.
 */
export async function requireLaunchable(
  principal: Principal,
  provider: CloudProvider,
  images: ImageCatalog,
  request: LaunchRequest,
): Promise<void> {
  const { region } = request;
  await visibleImage(principal, images.get(region, request.imageId), request.imageId);
  if (request.firewall && 'ids' in request.firewall) {
    const firewalls = await provider.listFirewalls(region);
    for (const id of request.firewall.ids) {
      const firewall = firewalls.find((f) => f.id === id);
      if (!firewall || !canUseShared(principal, firewall.tags.group)) throw notFound(`firewall ${id} in ${region}`);
    }
  }
  if (request.keypair && 'name' in request.keypair) {
    const { name } = request.keypair;
    const keypair = (await provider.listKeypairs(region)).find((k) => k.name === name);
    if (!keypair || !canUseShared(principal, keypair.tags.group)) throw notFound(`key pair ${name} in ${region}`);
  }
}
