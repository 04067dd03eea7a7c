import type { VolumePlan } from '../domain/volume-plan';
import { guestSteps, type GuestStep, type GuestStepResult } from './steps';

// Where the steps run: the simulated guest (sim-executor.ts) or a real one over SSH (ssh-executor.ts).

export interface GuestTarget {
  region: string;
  serverId: string;
  /** Address to reach the guest at (SSH); the sim needs none. */
  host?: string;
  volumeIds: string[];
}

export interface GuestProbe {
  reachable: boolean;
  mounted?: boolean;
  /** What was found, or which check failed. */
  detail: string;
}

export interface GuestExecutor {
  /** Whether servers must carry the service's provisioning key (in their user data) for this executor to reach them. */
  readonly needsProvisioningKey: boolean;
  /** Runs one step; idempotent; answers what it found or made. `secret` is the LUKS passphrase for encrypt. */
  run(target: GuestTarget, step: GuestStep, secret?: string): Promise<GuestStepResult>;
  /** Readiness: can we reach the guest, and (given a mount point) is it mounted? `detail` names the failing check. */
  probe(target: GuestTarget, mountPoint?: string): Promise<GuestProbe>;
  /** The stable by-id path of a volume's disk as this guest sees it. */
  devicePath(volumeId: string): string;
}

/** How a virtio disk appears under /dev/disk/by-id on KVM-style clouds and in the sim. */
export const virtioDevicePath = (volumeId: string): string => `/dev/disk/by-id/virtio-${volumeId}`;

/** Runs a whole plan step after step, each handing its device on; activities run the steps one by one instead. */
export async function prepareGuestVolumes(
  executor: GuestExecutor,
  target: GuestTarget,
  plan: VolumePlan,
  secret?: string,
): Promise<GuestStepResult> {
  const devices = target.volumeIds.map((id) => executor.devicePath(id));
  let result: GuestStepResult | undefined;
  let combined: Partial<GuestStepResult> = {};
  for (const name of guestSteps(plan)) {
    const step: GuestStep = {
      name,
      plan,
      devices,
      ...(result ? { device: result.device } : {}),
      ...(combined.filesystemUuid ? { filesystemUuid: combined.filesystemUuid } : {}),
    };
    result = await executor.run(target, step, name === 'encrypt' ? secret : undefined);
    combined = { ...combined, ...result };
  }
  return { ...combined, device: result!.device };
}
