import {
  ApplicationFailure,
  executeChild,
  log,
  proxyActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FamilyVersion, RefreshInput, RefreshReport, RegionPlan } from '../domain/families';
import { planRetention, nextVersion } from '../domain/retention';
import { ImageFamily } from '../domain/search-attributes';
import { quickActivity } from './activity-options';
import { cloneTemplate } from './clone-template';
import { reasonOf } from './failure-reason';
import { showDetails } from './details';

const quick = proxyActivities<Activities>(quickActivity);

/**
 * Keeps a family current in each of its regions: resolves the newest upstream image once, builds a new version
 * from it unless the current one already was, deprecates the previous version, then retires what retention no
 * longer keeps, one stage per image per run. A dry run plans the same and changes nothing.
 */
export async function refreshImageFamily(input: RefreshInput): Promise<RefreshReport> {
  const { family } = input;
  const dryRun = input.dryRun ?? false;
  const { workflowId } = workflowInfo();
  upsertSearchAttributes([{ key: ImageFamily, value: family.name }]);
  const report: RefreshReport = { family: family.name, dryRun, regions: [] };
  for (const region of family.regions) {
    // One stage per image per run: what the build step already deprecated is not retired further this run.
    const plan: RegionPlan = { region, keep: [], retire: [], protected: [], errors: [] };
    report.regions.push(plan);
    showDetails(`refresh ${family.name} in ${region}${dryRun ? ' (dry run)' : ''}`);
    try {
      await refreshRegion(region, plan);
    } catch (err) {
      // One region's failure is reported; the others still run.
      plan.errors.push(reasonOf(err).message);
      log.warn('family refresh failed in a region', { family: family.name, region, error: reasonOf(err).message });
    }
  }
  const failed = report.regions.filter((r) => r.errors.length);
  if (failed.length) {
    // A failed run pauses the family's schedule (pauseOnFailure) until someone looks.
    throw ApplicationFailure.create({
      type: 'RefreshFailed',
      nonRetryable: true,
      message: `refresh of ${family.name} failed in ${failed.map((r) => `${r.region}: ${r.errors.join('; ')}`).join(' | ')}`,
      details: [report],
    });
  }
  return report;

  async function refreshRegion(region: string, plan: RegionPlan): Promise<void> {
    // Resolved once, at the start, and recorded in history: never re-resolved mid-run.
    const source = await quick.resolveSource(region, family.source);
    plan.sourceImageId = source.id;
    let versions = await quick.familyVersions(region, family.name);
    const actedOn = new Set<string>();
    const current = versions.find((v) => v.state === 'available' || v.state === 'deprecated');
    if (current?.sourceImageId === source.id && !input.force) {
      plan.upToDate = true;
    } else {
      const version = nextVersion(versions, Date.now());
      plan.build = {
        sourceImageId: source.id,
        version,
        reason: current
          ? `the current version ${current.version} was built from ${current.sourceImageId ?? 'an unknown image'}`
          : 'the family has no version yet',
      };
      if (!dryRun) {
        const built = await executeChild(cloneTemplate, {
          workflowId: `clone-${workflowId}-${region}`,
          args: [
            {
              name: `${family.name}-${version}`,
              region,
              ...(family.product ? { product: family.product } : {}),
              ...(family.customize ? { customize: family.customize } : {}),
              keepServer: false,
              group: family.group,
              billingCode: family.billingCode,
              timeout: 2700,
              sourceImageId: source.id,
              tags: { family: family.name, version, 'source-image': source.id, 'built-by': workflowId },
            },
          ],
        });
        plan.built = built.image.id;
        if (current?.state === 'available') {
          await quick.retireVersion(region, current.imageId, 'deprecate', built.image.id);
          plan.retire.push({
            imageId: current.imageId,
            action: 'deprecate',
            reason: `replaced by the new version ${built.image.id}`,
          });
          actedOn.add(current.imageId);
        }
        versions = await quick.familyVersions(region, family.name);
      } else {
        if (current?.state === 'available') {
          plan.retire.push({
            imageId: current.imageId,
            action: 'deprecate',
            reason: `would be replaced by the new version ${version}`,
          });
          actedOn.add(current.imageId);
        }
        // Plan as if the new version existed, so the dry run shows what retention would then do.
        versions = [
          {
            imageId: `(new ${version})`,
            region,
            version,
            state: 'available',
            createdAt: new Date().toISOString(),
          } satisfies FamilyVersion,
          ...versions,
        ];
      }
    }
    const canDisable = await quick.canDisableImages(region);
    const retention = planRetention(versions, family.retention, Date.now(), canDisable);
    plan.keep = retention.keep.filter((k) => !actedOn.has(k.imageId));
    for (const step of retention.retire.filter((r) => !actedOn.has(r.imageId))) {
      if (dryRun) {
        if (step.action !== 'deprecate') {
          const dependents = await quick.versionDependents(region, step.imageId);
          if (dependents.serverIds.length || dependents.childImageIds.length) {
            plan.protected.push({ imageId: step.imageId, ...dependents });
            continue;
          }
        }
        plan.retire.push(step);
        continue;
      }
      const outcome = await quick.retireVersion(region, step.imageId, step.action);
      if (outcome.outcome === 'protected')
        plan.protected.push({
          imageId: step.imageId,
          serverIds: outcome.serverIds,
          childImageIds: outcome.childImageIds,
        });
      else
        plan.retire.push({
          ...step,
          reason: outcome.outcome === 'done' ? step.reason : `${step.reason} (${outcome.outcome})`,
        });
    }
  }
}
