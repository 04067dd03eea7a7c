import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  defineQuery,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { Activities } from '../activities';
import type {
  LaunchContext,
  LaunchPlan,
  LaunchProgress,
  LaunchResult,
  LaunchStep,
  LaunchStepName,
  LaunchedServer as Server,
  VolumeLayout,
} from '../domain/launch';
import { LAUNCH_PHASE, createdKeypairName } from '../domain/launch';
import type { LaunchRequest } from '../domain/launch-request';
import { LaunchStep as LaunchStepAttribute, ServerId } from '../domain/search-attributes';
import { guestSteps, type VolumePlan } from '../domain/volume-plan';
import { withinDeadline } from './deadline';
import { reasonOf } from './failure-reason';
import { Saga } from './saga';
import {
  glanceActivity,
  guestActivity,
  quickActivity,
  readinessActivity,
  undoActivity,
  waitActivity,
} from './activity-options';
import { showDetails } from './details';

const quick = proxyActivities<Activities>(quickActivity);
const waits = proxyActivities<Activities>(waitActivity);
const inGuest = proxyActivities<Activities>(guestActivity);
const undo = proxyActivities<Activities>(undoActivity);
const glance = proxyActivities<Activities>(glanceActivity);

export const progressQuery = defineQuery<LaunchProgress>('progress');
const PHASES_PATCH = 'launch-step-phases';
const DEADLINE_PATCH = 'launch-ready-deadline';

/** Like Promise.all, but waits for every sibling to settle before failing: cleanup must not race a create still running. */
async function allSettled<T>(work: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** What preflight checks: not the labels, user data or a new firewall's rules, which only later steps use. */
function forPreflight(request: LaunchRequest): LaunchRequest {
  const trimmed: LaunchRequest = {
    ...request,
    ...(request.firewall && 'create' in request.firewall ? { firewall: { create: { rules: [] } } } : {}),
  };
  delete trimmed.labels;
  delete trimmed.userData;
  delete trimmed.description;
  return trimmed;
}

function volumePlan(request: LaunchRequest): VolumePlan | undefined {
  const volumes = request.volumes;
  if (!volumes) return undefined;
  const disks = volumes.disks ?? Array.from({ length: volumes.count ?? 0 }, () => ({ sizeGb: volumes.sizeGb ?? 0 }));
  return {
    disks,
    raid: volumes.raid,
    filesystem: volumes.filesystem,
    mountPoint: volumes.mountPoint,
    encrypt: volumes.encrypt,
    blockEncryption: volumes.blockEncryption,
  };
}

/** What the phases of one launch share: its request, the saga of what it made, its progress, and how it reports. */
interface Launch {
  request: LaunchRequest;
  workflowId: string;
  region: string;
  /** What most activities need of the request: each carries only that, not the labels, user data or rules. */
  owner: { region: string; name: string; group: string; billingCode: string };
  progress: LaunchProgress;
  saga: Saga;
  step: <T>(name: LaunchStepName, run: () => Promise<T>) => Promise<T>;
  describe: (detail: string) => void;
}

/** The key pair and the firewall: chosen, or made (each undo registered first). Answers the firewall ids. */
async function grantAccess({ request, workflowId, region, owner, progress, saga, step }: Launch): Promise<string[]> {
  if (request.keypair) {
    const choice = request.keypair;
    if ('create' in choice) {
      const name = choice.create.name ?? createdKeypairName(workflowId);
      saga.add(`delete key pair ${name}`, async () => {
        await undo.releaseKeypair(workflowId, region, name);
        progress.privateKeyAvailable = false;
      });
    }
    const keypair = await step('keypair', () => quick.ensureKeypair(workflowId, owner, choice));
    progress.keypairName = keypair.name;
    progress.privateKeyAvailable = keypair.created;
  }

  let firewallIds: string[] = [];
  if (request.firewall) {
    const choice = request.firewall;
    if ('create' in choice) saga.add('delete the firewall', () => undo.releaseFirewall(workflowId, region));
    firewallIds = (await step('firewall', () => quick.ensureFirewall(workflowId, owner, choice))).ids;
    progress.firewallIds = firewallIds;
  }

  return firewallIds;
}

/** The server, provisioned (its undo registered first) and running. */
async function provision(
  { request, workflowId, region, owner, progress, saga, step }: Launch,
  plan: LaunchPlan,
  firewallIds: string[],
): Promise<{ server: Server; serverUndo: number }> {
  const serverUndo = saga.add('terminate the server', () => undo.releaseServers(workflowId, region));
  const provisioned = await step('provision', () =>
    quick.provisionServer({
      workflowId,
      request: {
        ...owner,
        ...(request.labels ? { labels: request.labels } : {}),
        ...(request.userData !== undefined ? { userData: request.userData } : {}),
      },
      plan,
      firewallIds,
      ...(progress.keypairName ? { keypairName: progress.keypairName } : {}),
    }),
  );
  progress.server = provisioned;
  upsertSearchAttributes([{ key: ServerId, value: provisioned.id }]);
  const server = await step('wait-running', () => waits.waitServerRunning(region, provisioned.id));
  progress.server = server;

  return { server, serverUndo };
}

/** The volumes: created and attached (their undo after the server's), then prepared in the guest step by step. */
async function prepareVolumes(
  { request, workflowId, region, owner, progress, saga, step, describe }: Launch,
  plan: LaunchPlan,
  server: Server,
  serverUndo: number,
): Promise<VolumeLayout | undefined> {
  const volumes = volumePlan(request);
  let layout: VolumeLayout | undefined;
  if (volumes) {
    // Undone after the server is terminated (undos run in reverse): a mounted volume can hold a detach.
    saga.before(serverUndo, 'delete the volumes', () => undo.releaseVolumes(workflowId, region));
    const total = volumes.disks.length;
    const volumeIds = await step('volumes', async () => {
      let created = 0;
      const ids = await allSettled(
        volumes.disks.map(async (disk, index) => {
          const id = await waits.createDisk({
            workflowId,
            request: owner,
            zone: plan.zone,
            index,
            sizeGb: disk.sizeGb,
            ...(disk.type ? { type: disk.type } : {}),
            encrypted: volumes.blockEncryption,
          });
          describe(`creating volumes ${++created}/${total}`);
          return id;
        }),
      );
      let attached = 0;
      await allSettled(
        ids.map(async (id, index) => {
          await waits.attachDisk(region, id, server.id, index);
          describe(`attaching volumes ${++attached}/${total}`);
        }),
      );
      return ids;
    });
    layout = { volumeIds, raid: volumes.raid, filesystem: volumes.filesystem, mountPoint: volumes.mountPoint };
    progress.volumes = layout;
    let device: string | undefined;
    let filesystemUuid: string | undefined;
    for (const name of guestSteps(volumes)) {
      const result = await step(name, () =>
        inGuest.prepareGuest({
          workflowId,
          region,
          serverId: server.id,
          ...(server.publicIp ? { host: server.publicIp } : {}),
          volumeIds,
          plan: volumes,
          step: name,
          ...(device ? { device } : {}),
          ...(filesystemUuid ? { filesystemUuid } : {}),
        }),
      );
      device = result.device;
      filesystemUuid = result.filesystemUuid ?? filesystemUuid;
      if (result.arrayDevice) layout.arrayDevice = result.arrayDevice;
      if (result.luksDevice) layout.luksDevice = result.luksDevice;
      if (filesystemUuid) layout.filesystemUuid = filesystemUuid;
    }
  }

  return layout;
}

/** Ready: the readiness checks pass, watched by the worker within what is left of the deadline. */
async function awaitReady(
  { request, region, step, progress }: Launch,
  server: Server,
  layout: VolumeLayout | undefined,
  deadline: number | undefined,
): Promise<void> {
  // With a deadline the workflow's timer decides; the activity's own limit is only a backstop past it.
  const limit = deadline === undefined ? request.readyTimeout : Math.ceil((deadline - Date.now()) / 1000) + 60;
  const ready = proxyActivities<Activities>(readinessActivity(Math.max(limit, 1)));
  await step('wait-ready', async () => {
    try {
      // The activity's type stays checkReady: a launch begun before waits replays the same command; its input and
      // options are not part of what replay compares.
      return await ready.checkReady({
        region,
        serverId: server.id,
        ...(server.publicIp ? { host: server.publicIp } : {}),
        volumeIds: layout?.volumeIds ?? [],
        ...(layout ? { mountPoint: layout.mountPoint } : {}),
        wait: true,
        progress,
      });
    } catch (err) {
      // Out of time: either the last attempt timed out, or the retry policy stopped at the limit (RetryState TIMEOUT).
      if (
        err instanceof ActivityFailure &&
        (err.cause instanceof TimeoutFailure || err.retryState === RetryState.TIMEOUT)
      ) {
        const last = reasonOf(err.cause).message;
        throw ApplicationFailure.nonRetryable(
          `server ${server.id} was not ready within ${request.readyTimeout} s; last failing check: ${last}`,
          'ReadyTimeout',
        );
      }
      throw err;
    }
  });
}

/**
 * Launches a server from an image: preflight, key pair, firewall, server, volumes, guest preparation, readiness.
 * A saga: every step that creates something registers, before it runs, an undo that finds its work again by tag,
 * so a failure or a cancellation at any point leaves nothing behind.
 */
export async function launchServer(request: LaunchRequest, context: LaunchContext = {}): Promise<LaunchResult> {
  const { workflowId } = workflowInfo();
  const { region } = request;
  // What most activities need of the request; each carries only that, so a large request (labels, user data, rules)
  // is not copied into history once per activity.
  const owner = { region, name: request.name, group: request.group, billingCode: request.billingCode };
  const progress: LaunchProgress = { request, steps: [], warnings: [...(context.warnings ?? [])] };
  setHandler(progressQuery, () => progress);
  const saga = new Saga();
  let summary = `launch ${request.name} from ${request.imageId}`;

  // In the clear for the Web UI (workflows/details.ts): what, where and for whom, then the step.
  const describe = (detail: string) =>
    showDetails(
      `${summary}${progress.server ? `, server ${progress.server.id}` : ''} for group ${request.group}, billing code ${request.billingCode}: ${detail}`,
    );
  let phase: LaunchStepName | undefined;
  /** Why the steps in flight were cancelled, when the launch itself ran out of time rather than being cancelled. */
  let outOfTime: string | undefined;
  async function step<T>(name: LaunchStepName, run: () => Promise<T>): Promise<T> {
    const started = Date.now();
    const entry: LaunchStep = { name, state: 'running', startedAt: new Date(started).toISOString() };
    progress.step = name;
    progress.steps.push(entry);
    // Launches that began before phases existed upsert every step as they did, so their histories replay.
    const next = patched(PHASES_PATCH) ? LAUNCH_PHASE[name] : name;
    if (next !== phase) {
      phase = next;
      upsertSearchAttributes([{ key: LaunchStepAttribute, value: phase }]);
    }
    describe(name);
    try {
      const result = await run();
      entry.state = 'completed';
      return result;
    } catch (err) {
      entry.state = 'failed';
      entry.detail = outOfTime && isCancellation(err) ? outOfTime : reasonOf(err).message;
      log.warn('launch step failed', { step: name, error: entry.detail });
      throw err;
    } finally {
      entry.durationMs = Date.now() - started;
    }
  }

  /** Out of time: the check that last failed (the pending activity's last failure, as the Web UI shows it), as ReadyTimeout. */
  async function readyTimeout(): Promise<Error> {
    const where = progress.step ? ` (in step ${progress.step})` : '';
    // Not cancellable, and never failing the launch: a cancel arriving now still finds the work cancelled after.
    const last = await CancellationScope.nonCancellable(() => glance.lastFailingCheck(workflowId)).catch(
      () => undefined,
    );
    outOfTime = `not ready within ${request.readyTimeout} s of provisioning${where}; last failing check: ${last ?? 'none had failed yet'}`;
    const subject = progress.server ? `server ${progress.server.id} was ` : 'the server was ';
    return ApplicationFailure.nonRetryable(
      `${subject}${outOfTime}. What it made is removed; fix that check's cause, or launch again with a longer readyTimeout`,
      'ReadyTimeout',
    );
  }

  const launch: Launch = { request, workflowId, region, owner, progress, saga, step, describe };

  try {
    const plan = await step('preflight', () => quick.preflight(forPreflight(request)));
    progress.plan = plan;
    progress.warnings.push(...plan.warnings);
    summary = `launch ${request.name} from ${plan.image.id} on ${plan.product.id}`;

    const firewallIds = await grantAccess(launch);

    // One deadline from the start of provisioning to ready, whatever step a launch waits in (the guest's SSH, a slow
    // attach, readiness). Launches begun before it bound only the readiness wait, and replay that way.
    const deadline = patched(DEADLINE_PATCH) ? Date.now() + request.readyTimeout * 1000 : undefined;
    if (deadline !== undefined) progress.readyBy = new Date(deadline).toISOString();

    const untilReady = async () => {
      const { server, serverUndo } = await provision(launch, plan, firewallIds);
      const layout = await prepareVolumes(launch, plan, server, serverUndo);
      await awaitReady(launch, server, layout, deadline);
      return { server, layout };
    };
    const { server, layout } =
      deadline === undefined ? await untilReady() : await withinDeadline(deadline, untilReady, readyTimeout);
    describe('ready');
    progress.step = undefined;
    return { ...progress, plan, server, ...(layout ? { volumes: layout } : {}) };
  } catch (err) {
    progress.error = reasonOf(err);
    describe(`failed: ${progress.error.message}; cleaning up`);
    // Undo in reverse, even when cancelled; an undo that fails for good is reported and never hides the original error.
    await CancellationScope.nonCancellable(() =>
      step('cleanup', async () => {
        const failures = await saga.compensate();
        progress.warnings.push(...failures.map(({ what, reason }) => `cleanup could not ${what}: ${reason}`));
      }),
    );
    describe(`failed: ${progress.error.message}`);
    if (isCancellation(err)) throw err;
    throw ApplicationFailure.create({
      message: progress.error.message,
      type: progress.error.code,
      nonRetryable: true,
      cause: err instanceof Error ? err : undefined,
    });
  }
}
