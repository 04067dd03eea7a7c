import type { MachineImage } from './image';
import type { Product } from './product';
import type { LaunchRequest } from './launch-request';

// The launch as the API, the console and the Web UI see it.
export const LAUNCH_STEPS = ['preflight'] as const;
export type LaunchStepName = (typeof LAUNCH_STEPS)[number];

export type StepStatus = 'pending' | 'running' | 'completed' | 'failed';
export type LaunchStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'terminated' | 'timed-out';

export interface LaunchStep {
  name: LaunchStepName;
  status: StepStatus;
  startedAt?: string;
  finishedAt?: string;
  detail?: string;
}

/** What preflight settles before anything is created: the image and the product the server will run on. */
export interface LaunchPlan {
  image: Pick<MachineImage, 'id' | 'name' | 'state' | 'architecture' | 'platform'>;
  product: Product;
  warnings: string[];
}

/** Answered by the workflow's `progress` query. */
export interface LaunchProgress {
  request: LaunchRequest;
  steps: LaunchStep[];
  plan?: LaunchPlan;
  warnings: string[];
}

export type LaunchResult = LaunchProgress & { plan: LaunchPlan };

/** `launch-<key>`: the API maps an Idempotency-Key onto it, so a repeated request returns the same launch. */
export const launchWorkflowId = (key: string): string => `launch-${key}`;
/** What an Idempotency-Key may hold; a launch id is `launch-` and such a key (or a generated UUID). */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.-]{1,100}$/;
export const LAUNCH_ID_PATTERN = new RegExp(`^launch-${IDEMPOTENCY_KEY_PATTERN.source.slice(1)}`);
