// A launch workflow with a bug: its code throws a plain Error, which fails the workflow task (not the workflow), so
// the server retries it for ever. What a payload too large or a nondeterministic change does to a real one.
export async function launchServer(): Promise<never> {
  throw new Error('a bug in this build: launchServer cannot run');
}

export async function captureImage(): Promise<never> {
  throw new Error('a bug in this build: captureImage cannot run');
}

// The service's own, so a cancel of the stuck launch can end it after its grace period.
export { endStuck } from '../../workflows/end-stuck';
