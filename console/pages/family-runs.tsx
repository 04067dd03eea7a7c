import { useEffect, useState } from 'preact/hooks';
import { api, ApiProblem } from '../api';
import type { FamilyRun } from '../types';

function outcome(run: FamilyRun): string {
  if (run.error) return `${run.error.code}: ${run.error.message}`;
  if (!run.report) return '';
  return run.report.regions
    .map((plan) => {
      const did = [
        plan.build && `build ${plan.build.version}`,
        plan.upToDate && 'up to date',
        plan.retire.length && `retire ${plan.retire.length}`,
        plan.errors.length && `${plan.errors.length} errors`,
      ];
      return `${plan.region}: ${did.filter(Boolean).join(', ') || 'nothing to do'}`;
    })
    .join('; ');
}

/** The family's recent refreshes. Only admins may read them: for anyone else the section is left out. */
export function FamilyRuns({ name, reloads }: { name: string; reloads: number }) {
  const [runs, setRuns] = useState<FamilyRun[]>();
  const [hidden, setHidden] = useState(false);
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    let stale = false;
    api<{ items: FamilyRun[] }>('GET', `/v1/families/${encodeURIComponent(name)}/runs`).then(
      ({ items }) => {
        if (stale) return;
        setRuns(items);
        setProblem(undefined);
      },
      (err: Error) => {
        if (stale) return;
        if (err instanceof ApiProblem && err.status === 403) setHidden(true);
        else setProblem(err.message);
      },
    );
    return () => {
      stale = true;
    };
  }, [name, reloads]);

  if (hidden) return null;
  return (
    <section aria-labelledby="family-runs-heading">
      <h3 id="family-runs-heading">Recent runs</h3>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      {runs?.length === 0 && <p class="hint">No runs yet.</p>}
      {runs && runs.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.runId}>
                <td>{new Date(run.startedAt).toLocaleString()}</td>
                <td>{run.dryRun ? 'dry run' : 'refresh'}</td>
                <td class={`state-${run.status}`}>{run.status}</td>
                <td>{outcome(run)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
