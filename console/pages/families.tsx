import { useEffect, useReducer, useState } from 'preact/hooks';
import { api } from '../api';
import type { Family } from '../types';
import { FamilyDetail } from './family-detail';
import { FamilyList } from './family-list';

/** `#/families/<name>` chooses a family. */
const chosenFamily = (): string | undefined => {
  const [page, name] = location.hash.replace(/^#\/?/, '').split('/');
  return page === 'families' && name ? decodeURIComponent(name) : undefined;
};

export function FamiliesPage({ region }: { region: string }) {
  const [families, setFamilies] = useState<Family[]>();
  const [problem, setProblem] = useState<string>();
  const [chosen, setChosen] = useState(chosenFamily);
  const [reloads, reload] = useReducer((n: number) => n + 1, 0);

  useEffect(() => {
    const onHash = () => setChosen(chosenFamily());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    let stale = false;
    api<{ items: Family[] }>('GET', '/v1/families').then(
      ({ items }) => {
        if (stale) return;
        setFamilies(items);
        setProblem(undefined);
      },
      (err: Error) => {
        if (!stale) setProblem(err.message);
      },
    );
    return () => {
      stale = true;
    };
  }, [reloads]);

  return (
    <>
      <h1>Families</h1>
      <div class="split families">
        <section aria-labelledby="family-list-heading">
          <div class="toolbar">
            <h2 id="family-list-heading">Image families</h2>
            {/* Schedules are listed eventually: one just made may need a moment to appear. */}
            <button type="button" onClick={reload}>
              Refresh
            </button>
          </div>
          {problem && (
            <p class="field-error" role="alert">
              {problem}
            </p>
          )}
          {families && <FamilyList families={families} selected={chosen} />}
        </section>
        {chosen ? (
          <FamilyDetail key={chosen} name={chosen} region={region} />
        ) : (
          <p class="hint">Choose a family to see its versions and refresh it.</p>
        )}
      </div>
    </>
  );
}
