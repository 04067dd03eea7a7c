import { randomBytes } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { GuestStepResult } from '../guest/steps';
import type { GuestStepName, VolumePlan } from '../domain/volume-plan';
import { secretRefs } from '../secrets/key-store';
import type { ActivityDeps } from './deps';

export interface GuestStepInput {
  workflowId: string;
  region: string;
  serverId: string;
  host?: string;
  volumeIds: string[];
  plan: VolumePlan;
  step: GuestStepName;
  /** What the previous step answered: the device this step works on. */
  device?: string;
  filesystemUuid?: string;
}

/** One step of volume preparation in the guest; the LUKS passphrase is fetched here, never passed through history. */
export async function prepareGuest({ guest, keys }: ActivityDeps, input: GuestStepInput): Promise<GuestStepResult> {
  if (!guest)
    throw ApplicationFailure.nonRetryable('no guest executor is configured (GUEST_EXECUTOR=none)', 'GuestUnavailable');
  const secret =
    input.step === 'encrypt'
      ? await keys.getOrCreate(secretRefs.luksPassphrase(input.workflowId), () => randomBytes(32).toString('base64url'))
      : undefined;
  const target = {
    region: input.region,
    serverId: input.serverId,
    volumeIds: input.volumeIds,
    ...(input.host ? { host: input.host } : {}),
  };
  const step = {
    name: input.step,
    plan: input.plan,
    devices: input.volumeIds.map((id) => guest.devicePath(id)),
    ...(input.device ? { device: input.device } : {}),
    ...(input.filesystemUuid ? { filesystemUuid: input.filesystemUuid } : {}),
  };
  return heartbeating(guest.run(target, step, secret));
}

/**
 * Heartbeats while a step runs: a worker that dies mid-step is noticed within the heartbeat timeout, not the step's
 * ten minutes. An attempt cancelled or timed out stops waiting at once; a script of it still running in the guest
 * holds the guest's step lock, so the next attempt waits for it there (guest/shell.ts).
 */
async function heartbeating<T>(work: Promise<T>): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(), 5_000);
  work.catch(() => undefined); // its end may come after a cancellation has answered
  try {
    return await Promise.race([work, context.cancelled]);
  } finally {
    clearInterval(timer);
  }
}
