import type { Capabilities } from '../../domain/capabilities';
import { isIpv6Cidr } from '../../domain/cidr';
import type { LaunchForm } from './launch-form';

// What the cloud cannot do, in the words the launch dialog shows in place of a missing option, and the form's
// checks against it: the same limits the API enforces (api/launch-checks.ts), found before the request is sent.

/** The part of the capabilities the launch dialog reads. */
export type LaunchCapabilities = Pick<
  Capabilities,
  'blockEncryption' | 'maxVolumesPerServer' | 'ipv6Firewall' | 'volumeTypes'
>;

/** The request's own bound on disks (VolumesRequestSchema), below which the cloud's may be lower. */
export const MAX_DISKS = 16;

export const WHY_NOT = {
  blockEncryption: 'This cloud does not encrypt volumes: encrypt them in the guest (LUKS) instead.',
  volumeTypes: 'This cloud has one kind of disk: there is no disk type to choose.',
  ipv6Firewall: 'This cloud’s firewalls take IPv4 sources only.',
  maxVolumes: (max: number) => `This cloud attaches at most ${max} volumes to one server: use fewer, larger disks.`,
};

export const maxDisksOf = (capabilities: LaunchCapabilities | undefined) =>
  Math.min(MAX_DISKS, capabilities?.maxVolumesPerServer ?? MAX_DISKS);

/** The form's problems with what the cloud can do, by field path. */
export function cloudProblems(form: LaunchForm, capabilities: LaunchCapabilities): Record<string, string> {
  const problems: Record<string, string> = {};
  if (form.firewall === 'create' && !capabilities.ipv6Firewall)
    form.rules.forEach((rule, i) => {
      if (isIpv6Cidr(rule.cidr))
        problems[`firewall.create.rules.${i}.cidr`] =
          'this cloud’s firewalls take IPv4 sources only; give an IPv4 CIDR';
    });
  if (form.volumes && Number(form.count) > capabilities.maxVolumesPerServer)
    problems['volumes.count'] =
      `this cloud attaches at most ${capabilities.maxVolumesPerServer} volumes to one server; use fewer, larger disks`;
  return problems;
}
