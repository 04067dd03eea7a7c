import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, apiKey } from './api';
import { FamiliesPage } from './pages/families';
import { FirewallsPage } from './pages/firewalls';
import { ImagesPage } from './pages/images';
import { KeypairsPage } from './pages/keypairs';
import { LaunchesPage } from './pages/launches';
import { ServersPage } from './pages/servers';
import type { Region } from './types';

const PAGES = {
  images: 'Images',
  servers: 'Servers',
  keypairs: 'Key pairs',
  firewalls: 'Firewalls',
  launches: 'Launches',
  families: 'Families',
} as const;
type PageName = keyof typeof PAGES;

const pageOf = (hash: string): PageName => {
  const name = hash.replace(/^#\/?/, '').split('/')[0] as PageName;
  return name in PAGES ? name : 'images';
};

function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<string>();
  async function submit(event: Event) {
    event.preventDefault();
    apiKey.set(key.trim());
    try {
      // Checks the key, and opens the browser session the Temporal Web UI's codec calls ride on.
      await api('POST', '/v1/session');
      onSignedIn();
    } catch (err) {
      apiKey.clear();
      setProblem((err as Error).message);
    }
  }
  return (
    <main class="sign-in">
      <h1>Machine images</h1>
      <form onSubmit={submit}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          required
        />
        <p class="hint">Kept for this browser session only. On a laptop: the key in .data/dev-api-key.</p>
        {problem && (
          <p class="field-error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
    </main>
  );
}

function Console() {
  const [signedIn, setSignedIn] = useState(Boolean(apiKey.get()));
  const [page, setPage] = useState<PageName>(pageOf(location.hash));
  const [regions, setRegions] = useState<Region[]>([]);
  const [region, setRegion] = useState<string>('');

  useEffect(() => {
    const onHash = () => setPage(pageOf(location.hash));
    const onSignedOut = () => setSignedIn(false);
    window.addEventListener('hashchange', onHash);
    window.addEventListener('machine-images:signed-out', onSignedOut);
    return () => {
      window.removeEventListener('hashchange', onHash);
      window.removeEventListener('machine-images:signed-out', onSignedOut);
    };
  }, []);

  useEffect(() => {
    if (!signedIn) return;
    api<{ items: Region[] }>('GET', '/v1/regions').then(
      ({ items }) => {
        setRegions(items);
        setRegion((current) => current || items[0]?.id || '');
      },
      () => undefined,
    );
  }, [signedIn]);

  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  return (
    <>
      <header class="top">
        <span class="brand">Machine images</span>
        <nav aria-label="Pages">
          {(Object.keys(PAGES) as PageName[]).map((name) => (
            <a href={`#/${name}`} aria-current={page === name ? 'page' : undefined}>
              {PAGES[name]}
            </a>
          ))}
        </nav>
        <label class="region">
          Region{' '}
          <select value={region} onChange={(e) => setRegion(e.currentTarget.value)}>
            {regions.map((r) => (
              <option value={r.id}>{r.id}</option>
            ))}
          </select>
        </label>
        <button
          type="button"
          class="link"
          onClick={() => {
            apiKey.clear();
            setSignedIn(false);
            void fetch('/v1/session', { method: 'DELETE' });
          }}
        >
          Sign out
        </button>
      </header>
      <main>
        {region && page === 'images' && <ImagesPage region={region} regions={regions} />}
        {region && page === 'servers' && <ServersPage region={region} />}
        {region && page === 'keypairs' && <KeypairsPage region={region} />}
        {region && page === 'firewalls' && <FirewallsPage region={region} />}
        {page === 'launches' && <LaunchesPage />}
        {region && page === 'families' && <FamiliesPage region={region} />}
      </main>
    </>
  );
}

const root = document.getElementById('app')!;
// Preact renders beside what is already there: the "Loading…" placeholder would stay above the console.
root.replaceChildren();
render(<Console />, root);
