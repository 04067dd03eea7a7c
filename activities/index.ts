import { chargedToBillingCode } from './billing';
import { bindDeps, type ActivityDeps } from './deps';
import { canDisableImages, listFamilyVersions, resolveSource, retireVersion, versionDependents } from './families';
import { prepareGuest } from './guest';
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
import { ensureFirewall, ensureKeypair, releaseFirewall, releaseKeypair, releaseLaunchAccess } from './network';
import { preflight } from './preflight';
import { withActivityFailures } from './provider-failure';
import { checkReady } from './readiness';
import { planReap, reapItems, reapRegion } from './reaper';
import {
  provisionServer,
  readServer,
  rebootServer,
  releaseServers,
  terminateAndWait,
  waitRebooted,
  waitServerRunning,
} from './server';
import { attachDisk, createDisk, deleteLaunchDisks, releaseVolumes, serverLaunchDisks } from './volumes';
import { endIfStuck, lastFailingCheck } from './workflow-checks';

export type { ActivityDeps } from './deps';

// Each activity is written as `(deps, ...args)` in the module of its subject; here they are bound and registered.
const ACTIVITIES = {
  // launch
  preflight,
  ensureKeypair,
  releaseKeypair,
  ensureFirewall,
  releaseFirewall,
  provisionServer,
  waitServerRunning,
  releaseServers,
  createDisk,
  attachDisk,
  releaseVolumes,
  prepareGuest,
  checkReady,
  lastFailingCheck,
  // terminate
  serverLaunchDisks,
  terminateAndWait,
  deleteLaunchDisks,
  releaseLaunchAccess,
  // a server's power
  readServer,
  rebootServer,
  waitRebooted,
  // images
  checkCapturable,
  stopServerAndWait,
  startServerAndWait,
  startCapture,
  checkImageAvailable,
  readImage,
  releaseImages,
  deleteImageChecked,
  // families
  resolveSource,
  familyVersions: listFamilyVersions,
  canDisableImages,
  retireVersion,
  versionDependents,
  // quotas
  chargedToBillingCode,
  // the reaper, and stuck workflows
  planReap,
  reapItems,
  reapRegion,
  endIfStuck,
};

/** Every activity of the service, bound to its dependencies, its failures made in one place; the worker registers the result. */
export const createActivities = (deps: ActivityDeps) => withActivityFailures(bindDeps(deps, ACTIVITIES));

export type Activities = ReturnType<typeof createActivities>;
