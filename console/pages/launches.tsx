import { useCallback, useEffect, useState } from 'preact/hooks';
import { LaunchDetail } from './launch-detail';
import { LaunchList } from './launch-list';

/** `#/launches/<id>` chooses a launch: the launch dialog sends a person there after its 202. */
const chosenLaunch = (): string | undefined => {
  const [page, id] = location.hash.replace(/^#\/?/, '').split('/');
  return page === 'launches' && id ? decodeURIComponent(id) : undefined;
};

export function LaunchesPage() {
  const [chosen, setChosen] = useState(chosenLaunch);
  // The chosen launch's status as its detail last read it: fresher than the list, which is read again when it changes.
  const [status, setStatus] = useState<string>();
  const onStatus = useCallback((next: string) => setStatus(next), []);

  useEffect(() => {
    const onHash = () => {
      setChosen(chosenLaunch());
      setStatus(undefined);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  return (
    <>
      <h1>Launches</h1>
      <div class="split launches">
        <LaunchList selectedId={chosen} selectedStatus={status} />
        {chosen ? (
          <LaunchDetail key={chosen} id={chosen} onStatus={onStatus} />
        ) : (
          <p class="hint">Choose a launch to follow its steps.</p>
        )}
      </div>
    </>
  );
}
