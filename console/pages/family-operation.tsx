import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { Operation, OperationAccepted } from '../types';

/** A family refresh builds images for minutes: a look every two seconds is enough. */
const POLL_INTERVAL_MS = 2000;

/** A refresh started with "Run now": its operation link, and its status followed until it closes. */
export function FamilyOperation({ accepted, onClosed }: { accepted: OperationAccepted; onClosed: () => void }) {
  const [operation, setOperation] = useState<Operation>();
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function poll() {
      try {
        const answer = await api<Operation>('GET', accepted.statusUrl);
        if (stopped) return;
        setOperation(answer);
        setProblem(undefined);
        if (answer.status !== 'running') return onClosed();
      } catch (err) {
        if (stopped) return;
        setProblem((err as Error).message);
      }
      timer = setTimeout(() => void poll(), POLL_INTERVAL_MS);
    }
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [accepted.statusUrl, onClosed]);

  return (
    <p class="operation" role="status" aria-live="polite">
      Refresh started: operation <a href={accepted.statusUrl}>{accepted.id}</a>
      {operation && (
        <>
          {' '}
          — <strong class={`state-${operation.status}`}>{operation.status}</strong>
          {operation.error && `: ${operation.error.message}`}
        </>
      )}
      {problem && <span class="field-error"> (could not read its status: {problem})</span>}
    </p>
  );
}
