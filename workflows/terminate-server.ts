import { defineQuery, proxyActivities, setCurrentDetails, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { undoActivity } from './activity-options';

const act = proxyActivities<Activities>(undoActivity);

export interface TerminateServerInput {
  region: string;
  serverId: string;
  /** Keep the data volumes a launch made for this server (they are detached and left available). */
  keepVolumes: boolean;
}

export interface TerminateServerResult {
  serverId: string;
  deletedVolumeIds: string[];
  keptVolumeIds: string[];
}

export const terminateProgressQuery = defineQuery<{ step: string }>('progress');

/** Terminates a server and, unless asked to keep them, deletes the data volumes its launch made. */
export async function terminateServer(input: TerminateServerInput): Promise<TerminateServerResult> {
  let step = 'detaching volumes';
  setHandler(terminateProgressQuery, () => ({ step }));
  setCurrentDetails(`terminate ${input.serverId}: ${step}`);
  const volumeIds = await act.detachLaunchVolumes(input.region, input.serverId);
  step = 'terminating the server';
  setCurrentDetails(`terminate ${input.serverId}: ${step}`);
  await act.terminateAndWait(input.region, input.serverId);
  if (input.keepVolumes) return { serverId: input.serverId, deletedVolumeIds: [], keptVolumeIds: volumeIds };
  step = 'deleting volumes';
  setCurrentDetails(`terminate ${input.serverId}: ${step}`);
  await act.deleteVolumes(input.region, volumeIds);
  return { serverId: input.serverId, deletedVolumeIds: volumeIds, keptVolumeIds: [] };
}
