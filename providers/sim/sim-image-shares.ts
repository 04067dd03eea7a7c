import type { ImageShareChange, ImageShares } from '../../domain/image';
import { addShares, LOCAL_ACCOUNT_RULE, removeShares, requireAccountIds, sharesOf } from '../local/image-shares';
import type { SimContext } from './context';
import { changeImage, loadOwn } from './sim-images';

// Launch permissions of own images, kept in the image's record (providers/local/image-shares.ts has the rules).

export function listImageShares(ctx: SimContext, region: string, imageId: string): ImageShares {
  ctx.faults.check('listImageShares', { imageId });
  return sharesOf(loadOwn(ctx, region, imageId));
}

export function shareImage(ctx: SimContext, region: string, imageId: string, change: ImageShareChange): ImageShares {
  requireAccountIds(change.accounts, LOCAL_ACCOUNT_RULE);
  changeImage(ctx, region, imageId, 'shareImage', (doc) => addShares(doc, change));
  return sharesOf(loadOwn(ctx, region, imageId));
}

export function unshareImage(ctx: SimContext, region: string, imageId: string, change: ImageShareChange): ImageShares {
  requireAccountIds(change.accounts, LOCAL_ACCOUNT_RULE);
  changeImage(ctx, region, imageId, 'unshareImage', (doc) => removeShares(doc, change));
  return sharesOf(loadOwn(ctx, region, imageId));
}
