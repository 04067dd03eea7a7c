import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  log,
  proxyActivities,
  setCurrentDetails,
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
import { reasonOf } from './launch-server';

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
    setCurrentDetails(`capture ${input.name} from ${input.serverId}: ${step}`);
  };
  say('checking the server');
  upsertSearchAttributes([{ key: ServerId, value: input.serverId }]);
  const { stopFirst } = await quick.checkCapturable(input.region, input.serverId, input.reboot);
  let stopped = false;
  let image: MachineImage;
  const startAgain = async () => {
    if (stopped && !input.leaveStopped)
      await CancellationScope.nonCancellable(() => waits.startServerAndWait(input.region, input.serverId));
  };
  try {
    if (stopFirst) {
      say('stopping the server');
      stopped = true;
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
    try {
      await CancellationScope.nonCancellable(() => undo.releaseImages(workflowId, input.region));
    } finally {
      // The capture's own error is the one to raise: a server that would not start again is said and logged.
      await startAgain().catch((restartErr: unknown) => {
        log.error('could not start the server again after a failed capture', {
          serverId: input.serverId,
          error: reasonOf(restartErr).message,
        });
        say(
          `failed: ${reasonOf(err).message}; and server ${input.serverId} could not be started again: ${reasonOf(restartErr).message}`,
        );
      });
    }
    throw err;
  }
  await startAgain();
  return image;
}
