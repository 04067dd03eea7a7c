import { z } from 'zod';
import type { Capabilities } from '../../domain/capabilities';
import { SIM_MAX_VOLUMES_PER_SERVER, SIM_VOLUME_TYPES } from './sim-volumes';

// SIM_CAPABILITIES: what the sim declares less of, to try the service (and its console) on a cloud that cannot do
// everything without running that cloud. Only what the sim can honestly do less of: never more than it has.

const SimCapabilitiesSchema = z
  .object({
    publicLibrary: z.boolean(),
    captureFrom: z.array(z.enum(['running', 'stopped'])).min(1),
    blockEncryption: z.boolean(),
    maxVolumesPerServer: z.number().int().min(1).max(SIM_MAX_VOLUMES_PER_SERVER),
    ipv6Firewall: z.boolean(),
    /** The sim's own types, default first; [] for a cloud with one kind of disk. */
    volumeTypes: z.array(z.enum(SIM_VOLUME_TYPES)),
    labels: z.boolean(),
    deprecation: z.boolean(),
    disableImage: z.boolean(),
  })
  .partial()
  .strict();

/** Parses SIM_CAPABILITIES (JSON); a bad value is an error naming the variable, not a silently full cloud. */
export function parseSimCapabilities(json: string | undefined): Partial<Capabilities> {
  if (!json) return {};
  let declared: z.infer<typeof SimCapabilitiesSchema>;
  try {
    declared = SimCapabilitiesSchema.parse(JSON.parse(json));
  } catch (err) {
    throw new Error(`SIM_CAPABILITIES is not valid (${(err as Error).message}); see providers/README.md`, {
      cause: err,
    });
  }
  const { volumeTypes, ...rest } = declared;
  if (volumeTypes === undefined) return rest;
  return { ...rest, volumeTypes: volumeTypes.length ? volumeTypes : undefined };
}
