import { setWorkflowOptions, workflowInfo } from '@temporalio/workflow';

/**
 * For a workflow that lives for hours or for ever (a quota ledger, the console's sign-outs): on versioned workers
 * (WORKER_DEPLOYMENT_NAME) it moves to each new version instead of staying pinned, so the old version can drain; any
 * change to it therefore goes behind patched(). An unversioned worker may name no behaviour at all.
 */
export function autoUpgradeWhenVersioned(workflow: (...args: never[]) => Promise<unknown>): void {
  setWorkflowOptions(
    () => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'AUTO_UPGRADE' } : {}),
    workflow as (...args: unknown[]) => Promise<unknown>,
  );
}
