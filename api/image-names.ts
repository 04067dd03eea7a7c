import type { CloudProvider } from '../providers/cloud-provider';
import { ApiError } from './errors';

/** An image name the cloud would refuse is the caller's 400 now, naming the field, not a failed workflow later. */
export async function requireImageName(
  provider: CloudProvider,
  region: string,
  name: string,
  field: string,
): Promise<void> {
  const rule = (await provider.capabilities(region)).naming.image;
  if (name.length < rule.minLength || name.length > rule.maxLength || !new RegExp(rule.pattern).test(name)) {
    throw new ApiError(
      400,
      'invalid_request',
      `${field}: "${name.slice(0, 200)}" does not fit ${provider.name}'s image names; ${rule.hint}`,
    );
  }
}
