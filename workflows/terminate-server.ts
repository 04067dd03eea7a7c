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
  let step = 'finding its volumes';
  setHandler(terminateProgressQuery, () => ({ step }));
  const say = (next: string) => {
    step = next;
    setCurrentDetails(`terminate ${input.serverId}: ${step}`);
  };
  say(step);
  // Read before terminating: the launch's volumes are found by its workflow id, recorded here in history.
  const { workflowId, volumeIds } = await act.serverLaunchDisks(input.region, input.serverId);
  // The server first: a mounted filesystem can hold a detach while the server runs.
  say('terminating the server');
  await act.terminateAndWait(input.region, input.serverId);
  if (input.keepVolumes) return { serverId: input.serverId, deletedVolumeIds: [], keptVolumeIds: volumeIds };
  say('deleting volumes');
  await act.deleteLaunchDisks(input.region, workflowId, volumeIds);
  return { serverId: input.serverId, deletedVolumeIds: volumeIds, keptVolumeIds: [] };
}
