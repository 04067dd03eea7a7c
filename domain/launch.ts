import type { MachineImage } from './image';
import type { Product } from './product';
import type { LaunchRequest } from './launch-request';

// The launch as the API, the console and the Web UI see it.
export const LAUNCH_STEPS = [
  'preflight',
  'keypair',
  'firewall',
  'provision',
  'wait-running',
  'volumes',
  'raid',
  'encrypt',
  'format',
  'mount',
  'wait-ready',
  'cleanup',
] as const;
export type LaunchStepName = (typeof LAUNCH_STEPS)[number];

/**
 * The phase each step belongs to, named by its first step: what the `LaunchStep` search attribute holds, for lists,
 * filters and metrics. Every change of that attribute is a visibility write on the Temporal server (about 7 ms of
 * its CPU on the dev server, docs/BENCHMARKS.md), so it moves with the phases where a launch can wait, not with
 * every quick step; the launch's progress names the exact step.
 */
export const LAUNCH_PHASE: Record<LaunchStepName, LaunchStepName> = {
  preflight: 'preflight',
  keypair: 'preflight',
  firewall: 'preflight',
  provision: 'provision',
  'wait-running': 'provision',
  volumes: 'volumes',
  raid: 'volumes',
  encrypt: 'volumes',
  format: 'volumes',
  mount: 'volumes',
  'wait-ready': 'wait-ready',
  cleanup: 'cleanup',
};

export type StepState = 'running' | 'completed' | 'failed' | 'skipped';
export type LaunchStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'terminated' | 'timed-out';

export interface LaunchStep {
  name: LaunchStepName;
  state: StepState;
  startedAt: string;
  durationMs?: number;
  detail?: string;
}

/** What preflight settles before anything is created. */
export interface LaunchPlan {
  image: Pick<MachineImage, 'id' | 'name' | 'state' | 'architecture' | 'platform'>;
  product: Product;
  zone: string;
  provider: string;
  /** The guest executor needs the server's guest (volume preparation, readiness probe). */
  guest: boolean;
  warnings: string[];
}

export interface LaunchedServer {
  id: string;
  name: string;
  zone: string;
  publicIp?: string;
  privateIp?: string;
}

export interface VolumeLayout {
  volumeIds: string[];
  raid: string;
  arrayDevice?: string;
  luksDevice?: string;
  filesystem: string;
  filesystemUuid?: string;
  mountPoint: string;
}

/** Answered by the workflow's `progress` query, and the body of its result. */
export interface LaunchProgress {
  request: LaunchRequest;
  step?: LaunchStepName;
  steps: LaunchStep[];
  plan?: LaunchPlan;
  server?: LaunchedServer;
  keypairName?: string;
  /** The launch created a key pair: its private key can be fetched once. */
  privateKeyAvailable?: boolean;
  firewallIds?: string[];
  volumes?: VolumeLayout;
  /** When the launch fails as ReadyTimeout unless ready: readyTimeout after provisioning began. */
  readyBy?: string;
  warnings: string[];
  error?: { code: string; message: string };
}

export type LaunchResult = LaunchProgress & { plan: LaunchPlan; server: LaunchedServer };

/** What an Idempotency-Key may hold; a launch id is `launch-` and such a key (or a generated UUID). */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.-]{1,100}$/;
export const LAUNCH_ID_PATTERN = new RegExp(`^launch-${IDEMPOTENCY_KEY_PATTERN.source.slice(1)}`);

/** What the API adds to a launch besides the request: who started it, and the warnings of its admission (a soft quota). */
export interface LaunchContext {
  startedBy?: string;
  warnings?: string[];
}

/** `launch-<key>`: the API maps an Idempotency-Key onto it, so a repeated request returns the same launch. */
export const launchWorkflowId = (key: string): string => `launch-${key}`;

/** Tags every resource a launch creates carries, so cleanup and the reaper can find them by re-reading the cloud. */
export const MANAGED_BY = 'machine-images';
export function launchTags(
  workflowId: string,
  request: Pick<LaunchRequest, 'group' | 'billingCode'>,
): Record<string, string> {
  return {
    'managed-by': MANAGED_BY,
    'workflow-id': workflowId,
    group: request.group,
    'billing-code': request.billingCode,
  };
}

/**
 * Tag keys the service sets itself and decides by (the reaper reads `temporary`, `expires-at`, the owning workflow),
 * so a launch's labels may not carry them.
 */
export const RESERVED_LABELS = [
  'managed-by',
  'workflow-id',
  'clone-workflow-id',
  'temporary',
  'expires-at',
  'client-token',
  'group',
  'billing-code',
  'disk',
  'Name',
];

/** Names of what a launch creates, derived from its workflow id so that every retry finds the same thing. */
export const createdKeypairName = (workflowId: string) => `mi-${workflowId}`.slice(0, 200);
export const createdFirewallName = (workflowId: string) => `mi-${workflowId}`.slice(0, 200);
