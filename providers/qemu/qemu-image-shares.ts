import { ProviderError } from '../../domain/cloud-errors';
import type { ImageShareChange, ImageShares, MachineImage } from '../../domain/image';
import type { Page, PageRequest } from '../../domain/page';
import { newestFirst } from '../local/image-query';
import {
  addShares,
  LOCAL_ACCOUNT_RULE,
  ownedBy,
  removeShares,
  requireAccountIds,
  sharesOf,
  visibilityFor,
} from '../local/image-shares';
import { pageOf } from '../local/paging';
import { QEMU_ACCOUNT } from './catalog';
import { requireRegion, type QemuContext } from './context';
import { changeOwn, findImageDoc, view, type ImageDoc } from './qemu-images';

// Launch permissions of own images, kept in the image's record as the sim keeps them. This driver acts as one
// account (local); records of other accounts in its store show here only when shared with it.

export function listImageShares(ctx: QemuContext, region: string, imageId: string): ImageShares {
  const { doc } = findImageDoc(ctx, region, imageId);
  if (!ownedBy(doc, QEMU_ACCOUNT))
    throw new ProviderError('InvalidInput', `image ${imageId} is not this account's; only its owner sees its shares`);
  return sharesOf(doc);
}

export function shareImage(ctx: QemuContext, region: string, imageId: string, change: ImageShareChange): ImageShares {
  requireAccountIds(change.accounts, LOCAL_ACCOUNT_RULE);
  changeOwn(ctx, region, imageId, (doc) => addShares(doc, change));
  return sharesOf(findImageDoc(ctx, region, imageId).doc);
}

export function unshareImage(ctx: QemuContext, region: string, imageId: string, change: ImageShareChange): ImageShares {
  requireAccountIds(change.accounts, LOCAL_ACCOUNT_RULE);
  changeOwn(ctx, region, imageId, (doc) => removeShares(doc, change));
  return sharesOf(findImageDoc(ctx, region, imageId).doc);
}

export function listSharedImages(ctx: QemuContext, region: string, page?: PageRequest): Page<MachineImage> {
  requireRegion(region);
  const shared = ctx.store
    .list<ImageDoc>('image', region)
    .filter((s) => visibilityFor(s.doc, QEMU_ACCOUNT) === 'shared')
    .map((s): MachineImage => ({ ...view(s.doc), visibility: 'shared' }));
  return pageOf(shared.sort(newestFirst), page);
}
