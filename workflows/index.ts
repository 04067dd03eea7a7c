// The worker bundles this file: every workflow type the service runs.
export { launchServer } from './launch-server';
export { terminateServer } from './terminate-server';
