import { useEffect, useReducer, useState } from 'preact/hooks';
import { api } from '../api';
import type { LaunchSummary, Page } from '../types';

/**
 * The 50 newest launches the key may see. The list comes from Temporal's visibility store, which lags a second or
 * so behind a launch: it is read again when the chosen launch changes state and on Refresh, and the chosen launch's
 * row shows the status its own (fresher) view has.
 */
export function LaunchList({ selectedId, selectedStatus }: { selectedId?: string; selectedStatus?: string }) {
  const [launches, setLaunches] = useState<LaunchSummary[]>();
  const [problem, setProblem] = useState<string>();
  const [reloads, reload] = useReducer((n: number) => n + 1, 0);

  useEffect(() => {
    let stale = false;
    api<Page<LaunchSummary>>('GET', '/v1/launches?limit=50').then(
      (page) => {
        if (stale) return;
        setLaunches(page.items);
        setProblem(undefined);
      },
      (err: Error) => {
        if (!stale) setProblem(err.message);
      },
    );
    return () => {
      stale = true;
    };
  }, [reloads, selectedStatus]);

  return (
    <section aria-labelledby="launch-list-heading">
      <div class="toolbar">
        <h2 id="launch-list-heading">Recent launches</h2>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      {launches?.length === 0 && <p class="hint">No launches yet: launch a server from the Images page.</p>}
      {launches && launches.length > 0 && (
        <table class="launch-list">
          <thead>
            <tr>
              <th scope="col">Launch</th>
              <th scope="col">Status</th>
              <th scope="col">Phase</th>
              <th scope="col">Group</th>
              <th scope="col">Billing code</th>
              <th scope="col">Started</th>
            </tr>
          </thead>
          <tbody>
            {launches.map((listed) => {
              const launch =
                listed.id === selectedId && selectedStatus ? { ...listed, status: selectedStatus } : listed;
              const selected = launch.id === selectedId;
              return (
                <tr key={launch.id} class={selected ? 'selected' : undefined}>
                  <td class="launch-id">
                    <a
                      href={`#/launches/${encodeURIComponent(launch.id)}`}
                      aria-current={selected ? 'true' : undefined}
                    >
                      {launch.id}
                    </a>
                    {launch.name && <span class="hint"> {launch.name}</span>}
                  </td>
                  <td class={`state-${launch.status}`}>{launch.status}</td>
                  {/* The phase a running launch is in (its detail names the exact step); a completed one went through them all. */}
                  <td>{launch.status === 'completed' ? '' : (launch.step ?? '')}</td>
                  <td>{launch.group ?? ''}</td>
                  <td>{launch.billingCode ?? ''}</td>
                  <td>{new Date(launch.startedAt).toLocaleString()}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
