// A block storage volume, created for a launch and attached to its server.
export type VolumeState =
  'creating' | 'available' | 'attaching' | 'in-use' | 'detaching' | 'deleting' | 'deleted' | 'error' | 'unknown';

export interface Volume {
  id: string;
  sizeGb: number;
  type: string;
  zone: string;
  state: VolumeState;
  encrypted: boolean;
  kmsKeyId?: string;
  serverId?: string;
  device?: string;
  createdAt: string;
  tags: Record<string, string>;
}
