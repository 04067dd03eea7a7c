import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { PROJECT_ROOT } from '../config/paths';

/** The folders whose code goes into the workflow bundle: what a build id must change with. */
const WORKFLOW_SOURCES = ['workflows', 'domain'];

/**
 * A build id that changes exactly when the workflow code does: a hash of the prebuilt bundle if there is one,
 * otherwise of every source file the bundle is made from. Replicas of one release agree on it without being told.
 */
export function workflowCodeBuildId(bundlePath?: string, root = PROJECT_ROOT): string {
  const hash = createHash('sha256');
  if (bundlePath) hash.update(readFileSync(bundlePath));
  else {
    const files = WORKFLOW_SOURCES.flatMap((folder) =>
      (readdirSync(path.join(root, folder), { recursive: true }) as string[])
        .filter((file) => /\.tsx?$/.test(file))
        .map((file) => path.join(folder, file)),
    ).sort();
    for (const file of files)
      hash
        .update(file)
        .update('\0')
        .update(readFileSync(path.join(root, file)))
        .update('\0');
  }
  return `wf-${hash.digest('hex').slice(0, 16)}`;
}

export type Promotion = 'if-none' | 'always' | 'never';

/**
 * Makes `version` the deployment's current one (new workflows start on it) as `promotion` says. The server accepts
 * it only once the version's pollers are known, so it is tried for up to a minute after the worker starts polling.
 */
export async function promoteVersion(
  client: Client,
  version: WorkerDeploymentVersion,
  promotion: Promotion,
  say: (message: string) => void,
): Promise<'promoted' | 'left'> {
  if (promotion === 'never') return 'left';
  const namespace = client.options.namespace;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if (promotion === 'if-none') {
        const current = await currentBuildId(client, version.deploymentName);
        if (current) {
          if (current !== version.buildId)
            say(
              `worker deployment ${version.deploymentName}: ${current} is current; ${version.buildId} takes new workflows once made current (temporal worker deployment set-current-version)`,
            );
          return 'left';
        }
      }
      await client.workflowService.setWorkerDeploymentCurrentVersion({
        namespace,
        deploymentName: version.deploymentName,
        buildId: version.buildId,
        identity: `machine-images worker ${version.buildId}`,
      });
      say(`worker deployment ${version.deploymentName}: ${version.buildId} is now current`);
      return 'promoted';
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

/** The build id new workflows of the deployment start on; undefined when none is current (or no deployment yet). */
export async function currentBuildId(client: Client, deploymentName: string): Promise<string | undefined> {
  try {
    const { workerDeploymentInfo } = await client.workflowService.describeWorkerDeployment({
      namespace: client.options.namespace,
      deploymentName,
    });
    return workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId || undefined;
  } catch (err) {
    if ((err as { code?: number }).code === 5 /* NOT_FOUND */) return undefined;
    throw err;
  }
}
