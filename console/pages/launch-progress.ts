import { useEffect, useState } from 'preact/hooks';
import { api, ApiProblem } from '../api';
import type { LaunchView } from '../types';

/** Once a second: a launch's steps take seconds to minutes, and a person watching wants each as it happens. */
const POLL_INTERVAL_MS = 1000;

/** After a failed read (a worker away, 429, a network blip), wait longer each time, up to half a minute. */
const MAX_BACKOFF_MS = 30_000;

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
    let delay = POLL_INTERVAL_MS;
    setLaunch(undefined);
    setProblem(undefined);
    async function poll() {
      let again: boolean;
      try {
        const view = await api<LaunchView>('GET', `/v1/launches/${encodeURIComponent(id)}`);
        if (stopped) return;
        setLaunch(view);
        setProblem(undefined);
        // A stuck launch may still recover, or end at its cancel's grace period: keep watching it.
        again = view.status === 'running' || view.status === 'stuck';
        delay = POLL_INTERVAL_MS;
      } catch (err) {
        if (stopped) return;
        setProblem(err as Error);
        // A 4xx other than 429 would only repeat (no such launch, not ours, signed out); anything else passes.
        const final = err instanceof ApiProblem && err.status >= 400 && err.status < 500 && err.status !== 429;
        again = !final;
        delay = Math.min(delay * 2, MAX_BACKOFF_MS);
      }
      // The next read is scheduled after this one answered, so slow answers never pile up; a hidden tab waits.
      if (!again) return;
      timer = setTimeout(() => {
        if (document.hidden) paused = true;
        else void poll();
      }, delay);
    }
    let paused = false;
    const onVisible = () => {
      if (document.hidden || !paused || stopped) return;
      paused = false;
      void poll();
    };
    document.addEventListener('visibilitychange', onVisible);
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [id]);

  return { launch, problem };
}
