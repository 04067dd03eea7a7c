import { ActivityFailure, defineQuery, log, proxyActivities, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { LaunchProgress, LaunchResult, LaunchStep, LaunchStepName } from '../domain/launch';
import type { LaunchRequest } from '../domain/launch-request';
import { LaunchStep as LaunchStepAttribute } from '../domain/search-attributes';
import { quickActivity } from './activity-options';

const { preflight } = proxyActivities<Activities>(quickActivity);

export const progressQuery = defineQuery<LaunchProgress>('progress');

/** The person-readable reason: an activity's own failure, not the wrapper around it. */
function reasonOf(err: unknown): string {
  const root = err instanceof ActivityFailure && err.cause ? err.cause : err;
  return root instanceof Error ? root.message : String(root);
}

/** Launches a server from an image. Today: preflight settles image and product; provisioning steps follow it. */
export async function launchServer(request: LaunchRequest): Promise<LaunchResult> {
  const progress: LaunchProgress = { request, steps: [], warnings: [] };
  setHandler(progressQuery, () => progress);

  async function step<T>(name: LaunchStepName, run: () => Promise<T>): Promise<T> {
    const entry: LaunchStep = { name, status: 'running', startedAt: new Date().toISOString() };
    progress.steps.push(entry);
    upsertSearchAttributes([{ key: LaunchStepAttribute, value: name }]);
    setCurrentDetails(`step: ${name}`);
    try {
      const result = await run();
      entry.status = 'completed';
      return result;
    } catch (err) {
      entry.status = 'failed';
      entry.detail = reasonOf(err);
      log.warn('launch step failed', { step: name, error: entry.detail });
      throw err;
    } finally {
      entry.finishedAt = new Date().toISOString();
    }
  }

  const plan = await step('preflight', () => preflight(request));
  progress.plan = plan;
  progress.warnings.push(...plan.warnings);
  setCurrentDetails(`planned: ${plan.image.name} on ${plan.product.id}`);
  return { ...progress, plan };
}
