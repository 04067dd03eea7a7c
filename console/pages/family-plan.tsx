import type { RefreshReport, RegionPlan } from '../types';

const RETIRE_WORDS = { deprecate: 'Deprecate', disable: 'Disable', delete: 'Delete' } as const;

function RegionPlanView({ plan }: { plan: RegionPlan }) {
  return (
    <section class="region-plan" aria-label={`Plan for ${plan.region}`}>
      <h4>{plan.region}</h4>
      {plan.errors.length > 0 && (
        <ul class="field-error">
          {plan.errors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      )}
      <ul class="plan-actions">
        {plan.build && (
          <li>
            <strong>Build</strong> version {plan.build.version} from {plan.build.sourceImageId}: {plan.build.reason}
          </li>
        )}
        {plan.upToDate && (
          <li>
            <strong>Up to date</strong>: the newest version was built from{' '}
            {plan.sourceImageId ?? 'the newest source image'}
          </li>
        )}
        {plan.retire.map((retire) => (
          <li key={retire.imageId}>
            <strong>{RETIRE_WORDS[retire.action]}</strong> {retire.imageId}: {retire.reason}
          </li>
        ))}
        {plan.protected.map((kept) => (
          <li key={kept.imageId}>
            <strong>Stays deprecated</strong> {kept.imageId}: still used by{' '}
            {[...kept.serverIds, ...kept.childImageIds].join(', ')}
          </li>
        ))}
        {plan.keep.map((keep) => (
          <li key={keep.imageId}>
            <strong>Keep</strong> {keep.imageId}: {keep.reason}
          </li>
        ))}
        {plan.built && (
          <li>
            <strong>Built</strong> {plan.built}
          </li>
        )}
        {!plan.build &&
          !plan.upToDate &&
          plan.retire.length + plan.protected.length + plan.keep.length === 0 &&
          plan.errors.length === 0 && <li>Nothing to do.</li>}
      </ul>
    </section>
  );
}

/** What a refresh would do, region by region: build, retire (deprecate, disable, delete), keep. */
export function FamilyPlan({ report }: { report: RefreshReport }) {
  return (
    <section class="family-plan" aria-labelledby="family-plan-heading">
      <h3 id="family-plan-heading">{report.dryRun ? 'Dry-run plan (nothing was changed)' : 'Refresh report'}</h3>
      {report.regions.map((plan) => (
        <RegionPlanView key={plan.region} plan={plan} />
      ))}
    </section>
  );
}
