import type { LaunchStep } from '../types';

/** "12 ms", "4.2 s", "38 s", "3 min 05 s": precise where steps are quick, short where they are slow. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

function duration(step: LaunchStep): string {
  if (step.durationMs !== undefined) return formatDuration(step.durationMs);
  // Still running: the time so far, which the once-a-second poll keeps current.
  if (step.state === 'running' && step.startedAt)
    return `${formatDuration(Date.now() - Date.parse(step.startedAt))} so far`;
  return '';
}

/** The launch's steps in the order they ran, each with its state and how long it took. */
export function LaunchSteps({ steps }: { steps: LaunchStep[] }) {
  if (steps.length === 0) return <p class="hint">No step has started yet.</p>;
  return (
    <table class="launch-steps" aria-labelledby="launch-steps-heading">
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">State</th>
          <th scope="col">Duration</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {steps.map((step) => (
          <tr key={step.name}>
            <th scope="row">{step.name}</th>
            <td class={`state-${step.state}`}>{step.state}</td>
            <td>{duration(step)}</td>
            <td>{step.detail ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
