import { inSpan, noteServer, REGION, SERVER_ID } from '../config/spans';
import type { GuestExecutor, GuestTarget } from './executor';

// A span for each step the guest runs and each readiness probe of it (when tracing is on: worker/worker.ts), with
// the server, the step and the plan's shape. The step's secret (the LUKS passphrase) is never recorded.

const targetAttributes = (target: GuestTarget) => ({
  [REGION]: target.region,
  [SERVER_ID]: target.serverId,
  'machine_images.volume_ids': target.volumeIds,
});

/** The executor with a span around each step and probe; the rest as it was. */
export function withStepSpans(executor: GuestExecutor): GuestExecutor {
  return {
    get needsProvisioningKey() {
      return executor.needsProvisioningKey;
    },
    devicePath: (volumeId) => executor.devicePath(volumeId),
    run(target, step, secret) {
      noteServer(target.serverId);
      const attributes = {
        ...targetAttributes(target),
        'machine_images.guest_step': step.name,
        'machine_images.raid': step.plan.raid,
        'machine_images.filesystem': step.plan.filesystem,
        'machine_images.encrypted': step.plan.encrypt,
      };
      return inSpan(`guest.${step.name}`, { attributes }, () => executor.run(target, step, secret));
    },
    probe(target, mountPoint) {
      noteServer(target.serverId);
      const attributes = {
        ...targetAttributes(target),
        ...(mountPoint ? { 'machine_images.mount_point': mountPoint } : {}),
      };
      return inSpan('guest.probe', { attributes }, () => executor.probe(target, mountPoint));
    },
  };
}
