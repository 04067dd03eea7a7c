import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DeleteImageRequest } from '../domain/images';
import { quickActivity } from './activity-options';
import { showDetails } from './details';

const quick = proxyActivities<Activities>(quickActivity);

/** Deletes an image; without force, refuses while a server or an image still depends on it (checked live). */
export async function deleteImage(input: DeleteImageRequest): Promise<{ imageId: string; deleted: boolean }> {
  showDetails(`delete image ${input.imageId}${input.force ? ' (forced)' : ''}`);
  const { deleted } = await quick.deleteImageChecked(input.region, input.imageId, input.force);
  return { imageId: input.imageId, deleted };
}
