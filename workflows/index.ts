// The worker bundles this file: every workflow type the service runs.
export { launchServer } from './launch-server';
export { terminateServer } from './terminate-server';
export { captureImage } from './capture-image';
export { cloneTemplate } from './clone-template';
export { deleteImage } from './delete-image';
export { refreshImageFamily } from './refresh-image-family';
export { reapOrphans } from './reap-orphans';
export { endStuck } from './end-stuck';
export { quotaLedger } from './quota-ledger';
export { consoleSessions } from './console-sessions';
export { changeServerPower } from './server-power';
