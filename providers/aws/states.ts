import type { ImageState } from '../../domain/image';
import type { ServerState } from '../../domain/server';
import type { VolumeState } from '../../domain/volume';

// One table per resource from EC2's states to ours (Libcloud's NODE_STATE_MAP); anything new is `unknown`.
const IMAGE_STATES: Record<string, ImageState> = {
  pending: 'pending',
  available: 'available',
  invalid: 'failed',
  deregistered: 'deleted',
  transient: 'pending',
  failed: 'failed',
  error: 'failed',
  disabled: 'disabled',
};

const SERVER_STATES: Record<string, ServerState> = {
  pending: 'pending',
  running: 'running',
  // On its way to terminated; we have no "terminating", and it is certainly no longer usable.
  'shutting-down': 'stopping',
  terminated: 'terminated',
  stopping: 'stopping',
  stopped: 'stopped',
};

const VOLUME_STATES: Record<string, VolumeState> = {
  creating: 'creating',
  available: 'available',
  'in-use': 'in-use',
  deleting: 'deleting',
  deleted: 'deleted',
  error: 'error',
};

export const imageState = (ec2: string | undefined): ImageState => IMAGE_STATES[ec2 ?? ''] ?? 'unknown';
export const serverState = (ec2: string | undefined): ServerState => SERVER_STATES[ec2 ?? ''] ?? 'unknown';
export const volumeState = (ec2: string | undefined): VolumeState => VOLUME_STATES[ec2 ?? ''] ?? 'unknown';

/** The EC2 instance states that map to any of ours (for the `instance-state-name` filter). */
export const ec2ServerStates = (ours: readonly ServerState[]): string[] =>
  Object.entries(SERVER_STATES)
    .filter(([, state]) => ours.includes(state))
    .map(([ec2]) => ec2);
