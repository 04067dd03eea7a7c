import { useEffect, useState } from 'preact/hooks';
import { api, ApiProblem } from '../api';
import type { LaunchView } from '../types';

/** Once a second: a launch's steps take seconds to minutes, and a person watching wants each as it happens. */
const POLL_INTERVAL_MS = 1000;

/** Answers that polling again would only repeat: no such launch, not one of ours, signed out. */
const FINAL_PROBLEMS = new Set([400, 401, 403, 404]);

/**
 * A launch as the API shows it, read again every second while it runs. Polling stops when it closes, on an answer
 * that will not change, and when the component using it goes (another launch chosen, another page).
 */
export function useLaunchProgress(id: string): { launch?: LaunchView; problem?: Error } {
  const [launch, setLaunch] = useState<LaunchView>();
  const [problem, setProblem] = useState<Error>();

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setLaunch(undefined);
    setProblem(undefined);
    async function poll() {
      let again: boolean;
      try {
        const view = await api<LaunchView>('GET', `/v1/launches/${encodeURIComponent(id)}`);
        if (stopped) return;
        setLaunch(view);
        setProblem(undefined);
        again = view.status === 'running';
      } catch (err) {
        if (stopped) return;
        setProblem(err as Error);
        // A worker away (503) or a network blip passes; keep the last view and try again.
        again = !(err instanceof ApiProblem && FINAL_PROBLEMS.has(err.status));
      }
      // The next read is scheduled after this one answered, so slow answers never pile up.
      if (again) timer = setTimeout(() => void poll(), POLL_INTERVAL_MS);
    }
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id]);

  return { launch, problem };
}
