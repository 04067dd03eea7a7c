// A machine image as every provider reports it (Libcloud's NodeImage, widened): provider-only detail goes in `extra`.
export type ImageState = 'pending' | 'available' | 'deprecated' | 'disabled' | 'failed' | 'deleted' | 'unknown';
export type Architecture = 'x86_64' | 'arm64';

export interface MachineImage {
  id: string;
  provider: string;
  region: string;
  name: string;
  description: string;
  labelColor?: string;
  ownerId: string;
  visibility: 'public' | 'private' | 'shared';
  state: ImageState;
  stateReason?: string;
  architecture: Architecture;
  platform: string;
  createdAt: string;
  minDiskGb: number;
  tags: Record<string, string>;
  extra: Record<string, unknown>;
}

/** States a server may be launched from; a deprecated image still launches (clouds allow it), with a warning. */
export const LAUNCHABLE_IMAGE_STATES: readonly ImageState[] = ['available', 'deprecated'];

/** Who besides the owning account may launch an own image: accounts by id, and everyone when public. */
export interface ImageShares {
  accounts: string[];
  public: boolean;
}

/** Accounts to add or remove, and whether to make public (or, when revoking, private again). */
export interface ImageShareChange {
  accounts?: string[];
  public?: boolean;
}
