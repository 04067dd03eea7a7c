import { ApplicationFailure } from '@temporalio/common';
import type { GuestExecutor } from '../guest/executor';
import type { LaunchRequest, FirewallChoice, KeypairChoice } from '../domain/launch-request';
import type { CloudProvider } from '../providers/cloud-provider';
import type { KeyStore } from '../secrets/key-store';
import { provisioningKey } from '../secrets/provisioning-key';
import { prepareGuest, type GuestStepInput } from './guest';
import {
  checkCapturable,
  checkImageAvailable,
  deleteImageChecked,
  readImage,
  releaseImages,
  startCapture,
  startServerAndWait,
  stopServerAndWait,
} from './images';
import type { CaptureRequest } from '../domain/images';
import type { Family, RetirementAction } from '../domain/families';
import { familyVersions } from '../providers/family-versions';
import { resolveSource, retireVersion, versionDependents } from './families';
import { planReap, reapItems, type ReapPlanOptions } from './reaper';
import { DEFAULT_REAPER_GRACE_SECONDS, reapReport, type ReapItem } from '../domain/reaper';
import type { WorkflowStatus } from './workflow-status';
import { withActivityFailures } from './provider-failure';
import { ensureFirewall, ensureKeypair, releaseFirewall, releaseKeypair, releaseLaunchAccess } from './network';
import { preflight } from './preflight';
import type { EndStuckInput, EndStuckOutcome } from '../domain/stuck';
import { checkReady, type ReadinessInput } from './readiness';
import { provisionServer, releaseServers, terminateAndWait, waitServerRunning, type ProvisionInput } from './server';
import { composeUserData } from './user-data';
import {
  attachDisk,
  createDisk,
  deleteLaunchDisks,
  releaseVolumes,
  serverLaunchDisks,
  type DiskInput,
} from './volumes';

export interface ActivityDeps {
  provider: CloudProvider;
  keys: KeyStore;
  /** Prepares volumes in the guest and probes it; absent when GUEST_EXECUTOR=none. */
  guest?: GuestExecutor;
  /** Whether a resource's owning workflow still runs (for the reaper); absent: only expiry counts. */
  workflows?: WorkflowStatus;
}

/** Every activity of the service, bound to its dependencies, its failures made in one place; the worker registers the result. */
export const createActivities = (deps: ActivityDeps) => withActivityFailures(boundActivities(deps));

const boundActivities = ({ provider, keys, guest, workflows }: ActivityDeps) => ({
  async preflight(request: LaunchRequest) {
    return preflight(provider, guest !== undefined, request);
  },
  async ensureKeypair(
    workflowId: string,
    request: Pick<LaunchRequest, 'region' | 'group' | 'billingCode'>,
    choice: KeypairChoice,
  ) {
    return ensureKeypair(provider, keys, workflowId, request, choice);
  },
  async releaseKeypair(workflowId: string, region: string, name: string) {
    return releaseKeypair(provider, keys, workflowId, region, name);
  },
  async ensureFirewall(
    workflowId: string,
    request: Pick<LaunchRequest, 'region' | 'group' | 'billingCode' | 'name'>,
    choice: FirewallChoice,
  ) {
    return ensureFirewall(provider, workflowId, request, choice);
  },
  async releaseFirewall(workflowId: string, region: string) {
    return releaseFirewall(provider, workflowId, region);
  },
  async provisionServer(input: Omit<ProvisionInput, 'userData'>) {
    // The provisioning key goes in through user data where the guest executor needs it to reach the guest (SSH).
    const key = guest?.needsProvisioningKey ? await provisioningKey(keys) : undefined;
    const userData = composeUserData(key?.publicKey, input.request.userData);
    return provisionServer(provider, { ...input, ...(userData ? { userData } : {}) });
  },
  async waitServerRunning(region: string, serverId: string) {
    return waitServerRunning(provider, region, serverId);
  },
  async releaseServers(workflowId: string, region: string) {
    return releaseServers(provider, workflowId, region);
  },
  async createDisk(input: DiskInput) {
    return createDisk(provider, input);
  },
  async attachDisk(region: string, volumeId: string, serverId: string, index: number) {
    return attachDisk(provider, region, volumeId, serverId, index);
  },
  async releaseVolumes(workflowId: string, region: string) {
    return releaseVolumes(provider, keys, workflowId, region);
  },
  async serverLaunchDisks(region: string, serverId: string) {
    return serverLaunchDisks(provider, region, serverId);
  },
  async terminateAndWait(region: string, serverId: string) {
    return terminateAndWait(provider, region, serverId);
  },
  async deleteLaunchDisks(region: string, workflowId: string | undefined, volumeIds: string[]) {
    return deleteLaunchDisks(provider, keys, region, workflowId, volumeIds);
  },
  async releaseLaunchAccess(region: string, workflowId: string, serverId: string) {
    return releaseLaunchAccess(provider, keys, region, workflowId, serverId);
  },
  async prepareGuest(input: GuestStepInput) {
    return prepareGuest(guest, keys, input);
  },
  /** Why a launch out of time was still waiting; nothing is known without a client to ask Temporal. */
  async lastFailingCheck(workflowId: string) {
    return workflows ? workflows.lastFailure(workflowId) : undefined;
  },
  /** Ends a stuck workflow whose cancel's grace period is over; without a client to Temporal it cannot, and says so. */
  async endIfStuck(input: Omit<EndStuckInput, 'graceSeconds'>): Promise<EndStuckOutcome> {
    if (!workflows)
      throw ApplicationFailure.nonRetryable(
        'this worker has no Temporal client to end a stuck workflow with',
        'NoTemporalClient',
      );
    return workflows.endIfStuck(input);
  },
  async checkReady(input: ReadinessInput) {
    return checkReady(provider, guest, input);
  },
  async checkCapturable(region: string, serverId: string, reboot: boolean) {
    return checkCapturable(provider, region, serverId, reboot);
  },
  async stopServerAndWait(region: string, serverId: string) {
    return stopServerAndWait(provider, region, serverId);
  },
  async startServerAndWait(region: string, serverId: string) {
    return startServerAndWait(provider, region, serverId);
  },
  async startCapture(workflowId: string, input: CaptureRequest & { tags?: Record<string, string> }) {
    return startCapture(provider, workflowId, input);
  },
  async checkImageAvailable(region: string, imageId: string) {
    return checkImageAvailable(provider, region, imageId);
  },
  async readImage(region: string, imageId: string) {
    return readImage(provider, region, imageId);
  },
  async releaseImages(workflowId: string, region: string) {
    return releaseImages(provider, workflowId, region);
  },
  async deleteImageChecked(region: string, imageId: string, force: boolean) {
    return deleteImageChecked(provider, region, imageId, force);
  },
  async resolveSource(region: string, source: Family['source']) {
    return resolveSource(provider, region, source);
  },
  async familyVersions(region: string, family: string) {
    return familyVersions(provider, region, family);
  },
  async canDisableImages(region: string) {
    return (await provider.capabilities(region)).disableImage;
  },
  async retireVersion(region: string, imageId: string, action: RetirementAction, replacementId?: string) {
    return retireVersion(provider, region, imageId, action, replacementId);
  },
  async versionDependents(region: string, imageId: string) {
    return versionDependents(provider, region, imageId);
  },
  async planReap(region: string, options: ReapPlanOptions) {
    return planReap(provider, keys, workflows, region, options);
  },
  async reapItems(region: string, items: ReapItem[]) {
    return reapItems(provider, keys, region, items);
  },
  /** What reaper runs scheduled before plans existed call (they replay that way): plan and remove in one. */
  async reapRegion(region: string, nowIso: string) {
    const items = await planReap(provider, keys, workflows, region, {
      nowIso,
      graceSeconds: DEFAULT_REAPER_GRACE_SECONDS,
    });
    await reapItems(provider, keys, region, items);
    const { servers, volumes, keypairs, firewalls, images } = reapReport(items, false, []);
    return { servers, volumes, keypairs, firewalls, images };
  },
});

export type Activities = ReturnType<typeof createActivities>;
