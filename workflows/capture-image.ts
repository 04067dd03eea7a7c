import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  proxyActivities,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { Activities } from '../activities';
import type { MachineImage } from '../domain/image';
import type { CaptureRequest } from '../domain/images';
import { ImageId, ServerId } from '../domain/search-attributes';
import { imageWaitActivity, quickActivity, undoActivity, waitActivity } from './activity-options';
import { reasonOf } from './failure-reason';
import { Saga, undoReport } from './saga';
import { showDetails } from './details';

const quick = proxyActivities<Activities>(quickActivity);
const waits = proxyActivities<Activities>(waitActivity);
const undo = proxyActivities<Activities>(undoActivity);

export type CaptureInput = CaptureRequest & {
  tags?: Record<string, string>;
  /** For cloning: leave a server that was stopped for the capture stopped (it is terminated next). */
  leaveStopped?: boolean;
};

export interface CaptureProgress {
  step: string;
  imageId?: string;
}

export const captureProgressQuery = defineQuery<CaptureProgress>('progress');

/**
 * Captures an image from a server: stops it first when asked (or when the cloud needs it), captures, waits until the
 * image is available, and starts the server again. After the limit it re-reads and adopts an image that made it;
 * otherwise, and on any failure, it deregisters the half-made image.
 */
export async function captureImage(input: CaptureInput): Promise<MachineImage> {
  const { workflowId } = workflowInfo();
  const progress: CaptureProgress = { step: 'checking the server' };
  setHandler(captureProgressQuery, () => progress);
  const say = (step: string) => {
    progress.step = step;
    showDetails(`capture ${input.name} from ${input.serverId}: ${step}`);
  };
  say('checking the server');
  upsertSearchAttributes([{ key: ServerId, value: input.serverId }]);
  const { stopFirst } = await quick.checkCapturable(input.region, input.serverId, input.reboot);
  const startAgain = stopFirst && !input.leaveStopped;
  // Undos run in reverse: the half-made image goes first, then the server starts again.
  const saga = new Saga();
  if (startAgain) saga.add('start the server again', () => waits.startServerAndWait(input.region, input.serverId));
  saga.add('remove the half-made image', () => undo.releaseImages(workflowId, input.region));
  let image: MachineImage;
  try {
    if (stopFirst) {
      say('stopping the server');
      await waits.stopServerAndWait(input.region, input.serverId);
    }
    say('capturing');
    const started = await quick.startCapture(workflowId, input);
    progress.imageId = started.id;
    upsertSearchAttributes([{ key: ImageId, value: started.id }]);
    say(`waiting for image ${started.id}`);
    const wait = proxyActivities<Activities>(imageWaitActivity(input.timeout));
    try {
      image = await wait.checkImageAvailable(input.region, started.id);
    } catch (err) {
      const outOfTime =
        err instanceof ActivityFailure &&
        (err.cause instanceof TimeoutFailure || err.retryState === RetryState.TIMEOUT);
      if (!outOfTime) throw err;
      // "Timed out" means "state unknown": read once more, and keep an image that did become available.
      const again = await quick.readImage(input.region, started.id);
      if (again.state !== 'available') {
        throw ApplicationFailure.nonRetryable(
          `image ${started.id} was not available within ${input.timeout} s (it is ${again.state})`,
          'CaptureTimeout',
        );
      }
      image = again;
    }
    say('available');
  } catch (err) {
    say(`failed: ${reasonOf(err).message}; removing the half-made image`);
    // The capture's own error is the one to raise: an undo that failed (a server that would not start again) is said.
    const report = undoReport(err, await saga.compensate());
    if (report) say(report);
    throw err;
  }
  if (startAgain) await CancellationScope.nonCancellable(() => waits.startServerAndWait(input.region, input.serverId));
  return image;
}
