import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { LaunchView } from '../types';
import { LaunchPrivateKey } from './launch-private-key';
import { useLaunchProgress } from './launch-progress';
import { LaunchSteps } from './launch-steps';

const when = (iso?: string) => (iso ? new Date(iso).toLocaleString() : '');

function Facts({ launch }: { launch: LaunchView }) {
  const { request, server } = launch;
  const facts: [string, string | undefined][] = [
    ['Image', request?.imageId],
    ['Region', request?.region],
    ['Group', request?.group],
    ['Billing code', request?.billingCode],
    ['Started', when(launch.startedAt)],
    [
      'Ready by',
      launch.status === 'running' && launch.readyBy
        ? `${when(launch.readyBy)}${launch.readySecondsLeft !== undefined ? ` (${Math.ceil(launch.readySecondsLeft / 60)} min left)` : ''}`
        : undefined,
    ],
    ['Closed', when(launch.closedAt)],
    ['Server', server?.id],
    ['Public IP', server?.publicIp],
    ['Private IP', server?.privateIp],
    ['Zone', server?.zone],
  ];
  return (
    <dl class="facts">
      {facts
        .filter(([, value]) => value)
        .map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
    </dl>
  );
}

/** One launch: where it is, what it made, and what a person can do about it (cancel it, take its key). */
export function LaunchDetail({ id, onStatus }: { id: string; onStatus: (status: string) => void }) {
  const { launch, problem } = useLaunchProgress(id);
  const [cancelling, setCancelling] = useState(false);
  const [cancelProblem, setCancelProblem] = useState<string>();
  /** What the cancel answered: a stuck launch's ends it at terminateAfter unless it recovers first. */
  const [cancelAnswer, setCancelAnswer] = useState<{ status: string; terminateAfter?: string }>();

  const status = launch?.status;
  useEffect(() => {
    if (status) onStatus(status);
  }, [status, onStatus]);
  if (!launch) {
    return (
      <section class="card" aria-labelledby="launch-heading">
        <h2 id="launch-heading">Launch {id}</h2>
        {problem ? (
          <p class="field-error" role="alert">
            {problem.message}
          </p>
        ) : (
          <p class="hint">Loading…</p>
        )}
      </section>
    );
  }

  const running = launch.status === 'running';
  const stuck = launch.status === 'stuck';
  async function cancel() {
    setCancelling(true);
    setCancelProblem(undefined);
    try {
      setCancelAnswer(
        await api<{ status: string; terminateAfter?: string }>('POST', `/v1/launches/${encodeURIComponent(id)}/cancel`),
      );
    } catch (err) {
      setCancelling(false);
      setCancelProblem((err as Error).message);
    }
  }

  return (
    <section class="card launch-detail" aria-labelledby="launch-heading">
      <h2 id="launch-heading">{launch.request?.name ?? 'Launch'}</h2>
      <p class="hint launch-id">{launch.id}</p>
      <p class="launch-status" role="status" aria-live="polite">
        Status: <strong class={`state-${launch.status}`}>{launch.status}</strong>
        {running && launch.step && ` — step ${launch.step}`}
        {running && cancelling && ' — cancelling, removing what it created…'}
      </p>
      {running && launch.waitingFor && <p class="notice">Waiting for: {launch.waitingFor}</p>}
      {stuck && launch.stuck && (
        <p class="problem" role="alert">
          Stuck: its workflow keeps failing ({launch.stuck.reason}), so it cannot go on or undo itself.{' '}
          {cancelAnswer?.terminateAfter
            ? `Cancel recorded: it is terminated at ${when(cancelAnswer.terminateAfter)} unless it recovers first, and the reaper then removes what it made.`
            : cancelAnswer?.status === 'terminated'
              ? 'Terminated; the reaper removes what it made.'
              : 'A cancel ends it (after a grace period, unless it recovers), and the reaper then removes what it made.'}
        </p>
      )}
      {(running || stuck) && (
        <button type="button" class="danger" onClick={() => void cancel()} disabled={cancelling}>
          Cancel launch
        </button>
      )}
      {cancelProblem && (
        <p class="field-error" role="alert">
          {cancelProblem}
        </p>
      )}
      {problem && <p class="field-error">Could not refresh this launch: {problem.message}</p>}
      {launch.error && (
        <p class="problem" role="alert">
          <strong>{launch.error.code}</strong>: {launch.error.message}
        </p>
      )}
      {launch.warnings && launch.warnings.length > 0 && (
        <ul class="notice warnings" aria-label="Warnings">
          {launch.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
      <Facts launch={launch} />
      {launch.keypairName &&
        (launch.privateKeyAvailable ||
          (launch.status === 'completed' && launch.request?.keypair && 'create' in launch.request.keypair)) && (
          <LaunchPrivateKey
            key={launch.id}
            launchId={launch.id}
            keypairName={launch.keypairName}
            available={launch.privateKeyAvailable === true}
          />
        )}
      <h3 id="launch-steps-heading">Steps</h3>
      <LaunchSteps steps={launch.steps ?? []} />
      {launch.webUiUrl && (
        <p>
          <a href={launch.webUiUrl} target="_blank" rel="noopener noreferrer">
            Open in Temporal Web UI
          </a>
        </p>
      )}
    </section>
  );
}
