import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { Page } from '../types';

// The Servers, Key pairs and Firewalls pages list alike: the first page whenever what it shows changes, a More
// button for the next; one copy, so an answer to an older filter can never overwrite a newer one on any of them.

/**
 * The list at `path` with `params` (a `cursor` joins them for More): its first page again whenever a value in `deps`
 * changes or on `reload()`. `items` is undefined until the first answer.
 */
export function usePagedList<T>(path: string, params: Record<string, string>, deps: unknown[]) {
  const [items, setItems] = useState<T[]>();
  const [nextCursor, setNextCursor] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const [reloads, setReloads] = useState(0);

  const url = (cursor?: string) => `${path}?${new URLSearchParams({ ...params, ...(cursor ? { cursor } : {}) })}`;

  useEffect(() => {
    let stale = false;
    api<Page<T>>('GET', url()).then(
      (page) => {
        if (stale) return;
        setItems(page.items);
        setNextCursor(page.nextCursor);
        setProblem(undefined);
      },
      (err: Error) => {
        if (!stale) setProblem(err.message);
      },
    );
    return () => {
      stale = true;
    };
  }, [...deps, reloads]);

  async function more(): Promise<void> {
    try {
      const page = await api<Page<T>>('GET', url(nextCursor));
      setItems((current) => [...(current ?? []), ...page.items]);
      setNextCursor(page.nextCursor);
    } catch (err) {
      setProblem((err as Error).message);
    }
  }

  return { items, setItems, nextCursor, problem, more, reload: () => setReloads((n) => n + 1) };
}
