import {
  CancellationScope,
  executeChild,
  patched,
  proxyActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { MachineImage } from '../domain/image';
import type { CloneRequest } from '../domain/images';
import { LINEAGE_TAGS } from '../domain/lineage';
import type { LaunchRequest } from '../domain/launch-request';
import { BillingCode, Group, ImageFamily, ImageId, Region } from '../domain/search-attributes';
import { quickActivity, undoActivity } from './activity-options';
import { captureImage } from './capture-image';
import { reasonOf } from './failure-reason';
import { launchServer } from './launch-server';
import { Saga, undoReport } from './saga';
import { terminateServer } from './terminate-server';
import { showDetails } from './details';

const quick = proxyActivities<Activities>(quickActivity);
const undo = proxyActivities<Activities>(undoActivity);
const UNDO_EACH_PATCH = 'clone-undo-each';
// Clones begun before the temporary server was ended by the terminate workflow (the launch's own undo for a server
// it made) replay with the clone removing the launch's server, volumes and firewall itself.
const CHILD_TERMINATE_PATCH = 'clone-terminates-through-workflow';

export interface CloneResult {
  image: MachineImage;
  sourceImageId: string;
  /** Only when keepServer was asked for. */
  serverId?: string;
}

/**
 * The platform's recommended path in one call: launch a temporary server from a provided image (customised by
 * user data), capture a private image from it, and terminate the server. Provided images are refreshed and old
 * ones deleted, so people launch from their own copies. A failure anywhere leaves no temporary server behind.
 */
export async function cloneTemplate(input: CloneRequest): Promise<CloneResult> {
  const { workflowId } = workflowInfo();
  const launchId = `launch-${workflowId}`;
  const say = (step: string) => showDetails(`clone ${input.sourceImageId} into "${input.name}": ${step}`);
  upsertSearchAttributes([{ key: ImageId, value: input.sourceImageId }]);

  say('reading the template');
  const source = await quick.readImage(input.region, input.sourceImageId);
  if (source.tags.family) upsertSearchAttributes([{ key: ImageFamily, value: source.tags.family }]);
  // The temporary server is tagged as such, with an expiry, so the reaper removes it should everything else fail.
  const expiresAt = new Date(Date.now() + (input.timeout + 3600) * 1000).toISOString();
  const request: LaunchRequest = {
    imageId: input.sourceImageId,
    name: `tmp-${workflowId
      .replace(/[^a-z0-9]/gi, '')
      .toLowerCase()
      .slice(-20)}`,
    region: input.region,
    product: input.product ?? { cpu: 1, memoryGb: 1, storageGb: source.minDiskGb },
    group: input.group,
    billingCode: input.billingCode,
    // A server asked to be kept is not temporary: the reaper must not take it later.
    labels: input.keepServer
      ? { 'clone-workflow-id': workflowId }
      : { temporary: 'true', 'expires-at': expiresAt, 'clone-workflow-id': workflowId },
    ...(input.customize ? { userData: input.customize.userData } : {}),
    readyTimeout: 1200,
  };
  // Set once the launch has made the server: from then on the server is the clone's to end, through the terminate
  // workflow, which removes what the launch made for it. Before that, a failed or cancelled launch undoes itself.
  let serverId: string | undefined;
  const terminateTemporary = (id: string) =>
    executeChild(terminateServer, {
      // The id a DELETE of the server through the API would use, so the two are one termination.
      workflowId: `terminate-${id}`,
      args: [{ region: input.region, serverId: id, keepVolumes: false }],
      typedSearchAttributes: [{ key: Group, value: input.group }],
      staticSummary: `Terminate ${id} in ${input.region}, the temporary server of clone ${workflowId}`,
    });
  try {
    say('launching a temporary server');
    const launched = await executeChild(launchServer, {
      workflowId: launchId,
      args: [request],
      // As any launch: its group may see it, and its billing code counts it until its server exists.
      typedSearchAttributes: [
        { key: Group, value: input.group },
        { key: BillingCode, value: input.billingCode },
        { key: ImageId, value: input.sourceImageId },
        { key: Region, value: input.region },
      ],
    });
    serverId = launched.server.id;
    say('capturing the image');
    const image = await executeChild(captureImage, {
      workflowId: `capture-${workflowId}`,
      args: [
        {
          region: input.region,
          serverId: launched.server.id,
          name: input.name,
          description: `private copy of ${source.name} (${source.id})`,
          reboot: true,
          leaveStopped: !input.keepServer,
          timeout: input.timeout,
          tags: {
            [LINEAGE_TAGS.parent]: source.id,
            ...(source.tags.family ? { [LINEAGE_TAGS.family]: source.tags.family } : {}),
            ...(source.tags.version ? { 'source-version': source.tags.version } : {}),
            ...input.tags,
          },
        },
      ],
    });
    if (!input.keepServer) {
      say('terminating the temporary server');
      if (patched(CHILD_TERMINATE_PATCH)) await terminateTemporary(launched.server.id);
      else await undo.releaseServers(launchId, input.region);
    }
    say(`done: ${image.id}`);
    return { image, sourceImageId: source.id, ...(input.keepServer ? { serverId: launched.server.id } : {}) };
  } catch (err) {
    say(`failed: ${reasonOf(err).message}; removing the temporary server`);
    // The launch cleans up after its own failure; after it succeeded, the server is ours to remove. A capture that
    // was terminated or timed out never ran its own cleanup. Each undo runs whatever the one before did.
    if (patched(CHILD_TERMINATE_PATCH)) {
      const saga = new Saga();
      saga.add('remove a half-made image', () => undo.releaseImages(`capture-${workflowId}`, input.region));
      const made = serverId;
      if (made) saga.add('terminate the temporary server', () => terminateTemporary(made));
      const report = undoReport(err, await saga.compensate());
      if (report) say(report);
    } else if (patched(UNDO_EACH_PATCH)) {
      const saga = new Saga();
      saga.add('remove a half-made image', () => undo.releaseImages(`capture-${workflowId}`, input.region));
      saga.add("delete the temporary server's firewall", () => undo.releaseFirewall(launchId, input.region));
      saga.add("delete the temporary server's volumes", () => undo.releaseVolumes(launchId, input.region));
      saga.add('terminate the temporary server', () => undo.releaseServers(launchId, input.region));
      const report = undoReport(err, await saga.compensate());
      if (report) say(report);
    } else {
      // Clones begun before each undo was tried on its own stop at the first that fails; they replay that way.
      await CancellationScope.nonCancellable(async () => {
        await undo.releaseServers(launchId, input.region);
        await undo.releaseVolumes(launchId, input.region);
        await undo.releaseFirewall(launchId, input.region);
        await undo.releaseImages(`capture-${workflowId}`, input.region);
      });
    }
    throw err;
  }
}
