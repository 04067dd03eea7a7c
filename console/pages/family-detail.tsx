import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { Family } from '../types';
import { scheduleText, sourceText } from './family-list';
import { FamilyRefresh } from './family-refresh';
import { FamilyRuns } from './family-runs';
import { FamilyVersions } from './family-versions';

/** One family: its definition, its versions in the console's region, its runs, and a refresh now or a dry run. */
export function FamilyDetail({ name, region }: { name: string; region: string }) {
  const [family, setFamily] = useState<Family>();
  const [problem, setProblem] = useState<string>();
  // Bumped when a refresh starts or ends, so versions and runs are read again; stable, as the operation's poll depends on it.
  const [reloads, setReloads] = useState(0);
  const refreshed = useCallback(() => setReloads((n) => n + 1), []);

  useEffect(() => {
    let stale = false;
    api<Family>('GET', `/v1/families/${encodeURIComponent(name)}`).then(
      (answer) => {
        if (stale) return;
        setFamily(answer);
        setProblem(undefined);
      },
      (err: Error) => {
        if (!stale) setProblem(err.message);
      },
    );
    return () => {
      stale = true;
    };
  }, [name, reloads]);

  return (
    <section class="card family-detail" aria-labelledby="family-heading">
      <h2 id="family-heading">{name}</h2>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      {family && (
        <>
          {family.description && <p>{family.description}</p>}
          <dl class="facts">
            <div>
              <dt>Source</dt>
              <dd>{sourceText(family)}</dd>
            </div>
            <div>
              <dt>Regions</dt>
              <dd>{family.regions.join(', ')}</dd>
            </div>
            <div>
              <dt>Schedule</dt>
              <dd>
                {scheduleText(family)}
                {family.paused
                  ? ', paused'
                  : family.nextRunAt
                    ? `, next ${new Date(family.nextRunAt).toLocaleString()}`
                    : ''}
              </dd>
            </div>
            <div>
              <dt>Keeps</dt>
              <dd>
                {[
                  family.retention.keepNewest && `the newest ${family.retention.keepNewest}`,
                  family.retention.keepDays && `${family.retention.keepDays} days`,
                ]
                  .filter(Boolean)
                  .join(' or ')}
                , never fewer than {family.retention.floor}
              </dd>
            </div>
            <div>
              <dt>Group, billing code</dt>
              <dd>
                {family.group}, {family.billingCode}
              </dd>
            </div>
          </dl>
          {!family.regions.includes(region) && (
            <p class="hint">{region} is not one of this family's regions; choose another region above.</p>
          )}
        </>
      )}
      <FamilyRefresh name={name} onRefreshed={refreshed} />
      <FamilyVersions name={name} region={region} reloads={reloads} />
      <FamilyRuns name={name} reloads={reloads} />
    </section>
  );
}
