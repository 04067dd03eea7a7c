import { useState } from 'preact/hooks';
import { api } from '../api';
import type { OperationAccepted, RefreshReport } from '../types';
import { FamilyOperation } from './family-operation';
import { FamilyPlan } from './family-plan';

/**
 * "Run now" starts a real refresh (202, followed as an operation); "Dry run" waits for the plan (200, up to a
 * minute) and changes nothing. Both are for admins: anyone else reads the API's 403 here.
 */
export function FamilyRefresh({ name, onRefreshed }: { name: string; onRefreshed: () => void }) {
  const [busy, setBusy] = useState<'run' | 'dry-run'>();
  const [plan, setPlan] = useState<RefreshReport>();
  const [started, setStarted] = useState<OperationAccepted>();
  const [problem, setProblem] = useState<string>();
  const url = `/v1/families/${encodeURIComponent(name)}/refresh`;

  async function refresh(kind: 'run' | 'dry-run') {
    setBusy(kind);
    setProblem(undefined);
    try {
      if (kind === 'dry-run') {
        setPlan(await api<RefreshReport>('POST', `${url}?dryRun=true`));
      } else {
        setStarted(await api<OperationAccepted>('POST', url));
      }
      onRefreshed(); // either shows among the runs
    } catch (err) {
      setProblem((err as Error).message);
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <section aria-labelledby="family-refresh-heading">
      <h3 id="family-refresh-heading">Refresh</h3>
      <div class="toolbar">
        <button type="button" class="action" onClick={() => void refresh('run')} disabled={busy !== undefined}>
          Run now
        </button>
        <button type="button" onClick={() => void refresh('dry-run')} disabled={busy !== undefined}>
          Dry run
        </button>
        <span class="hint" role="status" aria-live="polite">
          {busy === 'dry-run' && 'Planning the refresh (changing nothing)…'}
          {busy === 'run' && 'Starting a refresh…'}
        </span>
      </div>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      {started && <FamilyOperation key={started.id} accepted={started} onClosed={onRefreshed} />}
      {plan && <FamilyPlan report={plan} />}
    </section>
  );
}
