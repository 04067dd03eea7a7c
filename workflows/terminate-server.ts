import { defineQuery, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { undoActivity } from './activity-options';
import { showDetails } from './details';

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
  /** The key pair its launch made for it (its private key left the key store with it). */
  deletedKeypairs?: string[];
  /** …unless another live server was launched with it: then it stays, with its private key. */
  keptKeypairs?: { name: string; usedBy: string[] }[];
  deletedFirewallIds?: string[];
  /** A firewall its launch made that other servers still use stays, with the servers that use it. */
  keptFirewalls?: { id: string; usedBy: string[]; reason?: string }[];
}

export const terminateProgressQuery = defineQuery<{ step: string }>('progress');
// Terminations started before a server's key pair and firewall went with it replay without that step.
const ACCESS_PATCH = 'terminate-releases-access';

/** Terminates a server and removes what its launch made for it alone: data volumes (unless kept), key pair, firewall. */
export async function terminateServer(input: TerminateServerInput): Promise<TerminateServerResult> {
  let step = 'finding its volumes';
  setHandler(terminateProgressQuery, () => ({ step }));
  const say = (next: string) => {
    step = next;
    showDetails(`terminate ${input.serverId}: ${step}`);
  };
  say(step);
  // Read before terminating: the launch's volumes are found by its workflow id, recorded here in history.
  const { workflowId, volumeIds } = await act.serverLaunchDisks(input.region, input.serverId);
  // The server first: a mounted filesystem can hold a detach while the server runs.
  say('terminating the server');
  await act.terminateAndWait(input.region, input.serverId);
  const releasesAccess = patched(ACCESS_PATCH);
  let result: TerminateServerResult = { serverId: input.serverId, deletedVolumeIds: [], keptVolumeIds: volumeIds };
  if (!input.keepVolumes) {
    say('deleting volumes');
    await act.deleteLaunchDisks(input.region, workflowId, volumeIds);
    result = { serverId: input.serverId, deletedVolumeIds: volumeIds, keptVolumeIds: [] };
  }
  if (!releasesAccess || !workflowId) return result;
  say('deleting the key pair and firewall its launch made');
  return { ...result, ...(await act.releaseLaunchAccess(input.region, workflowId, input.serverId)) };
}
