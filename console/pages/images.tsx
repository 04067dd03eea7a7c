import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { useCapabilities } from '../capabilities';
import { NoticeLine, type Notice } from '../components/notice';
import type { Image, Region } from '../types';
import type { ImageAction } from './image-actions';
import { CloneDialog } from './image-clone-dialog';
import { DeleteImageDialog } from './image-delete-dialog';
import { ShareImageDialog } from './image-share-dialog';
import { useImageListing } from './image-listing';
import { PAGE_SIZES, readImageQuery, SCOPES, writeImageQuery, type ImageQuery } from './image-query';
import { ImageTable, type OpenPopup } from './image-table';
import { LaunchDialog } from './launch-dialog';

// Machine images: own ones first, then a search of the cloud's public library; rename and label own images in
// place, and launch, clone, share, deprecate or delete from each row's menu.

type Dialog = { action: 'launch' | 'clone' | 'share' | 'delete'; image: Image };

export function ImagesPage({ region, regions }: { region: string; regions: Region[] }) {
  const [query, setQuery] = useState<ImageQuery>(() => readImageQuery(location.hash));
  const [search, setSearch] = useState(query.q);
  const listing = useImageListing(region, query);
  const capabilities = useCapabilities(region);
  const [open, setOpen] = useState<OpenPopup>();
  const [dialog, setDialog] = useState<Dialog>();
  const [notice, setNotice] = useState<Notice>();
  // A link or Back to another #/images?… view lists that one.
  useEffect(() => {
    const onHash = () => {
      if (!location.hash.startsWith('#/images')) return;
      const next = readImageQuery(location.hash);
      setQuery((current) =>
        current.scope === next.scope && current.q === next.q && current.limit === next.limit ? current : next,
      );
      setSearch(next.q);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const imagePath = (image: Image, action = '') =>
    `/v1/images/${encodeURIComponent(image.id)}${action}?region=${encodeURIComponent(region)}`;

  function changeQuery(change: Partial<ImageQuery>): void {
    const next = { ...query, ...change };
    setQuery(next);
    writeImageQuery(next);
  }

  async function change(image: Image, patch: { name: string } | { labelColor: string }): Promise<void> {
    listing.replace(await api<Image>('PATCH', imagePath(image), patch));
  }

  async function deprecate(image: Image): Promise<void> {
    try {
      listing.replace(await api<Image>('POST', imagePath(image, '/deprecate'), {}));
      setNotice({ text: `${image.name} is deprecated: it stays launchable by id, and launches from it warn.` });
    } catch (err) {
      setNotice({ text: `${image.name} was not deprecated: ${(err as Error).message}`, alert: true });
    }
  }

  function onAction(image: Image, action: ImageAction): void {
    if (action === 'deprecate') void deprecate(image);
    else setDialog({ action, image });
  }

  return (
    <section aria-labelledby="images-title">
      <h1 id="images-title">Machine images</h1>
      <form
        class="toolbar image-search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          changeQuery({ q: search.trim() });
        }}
      >
        <div>
          <label for="images-q">Name contains (or a glob with * and ?)</label>
          <input id="images-q" type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </div>
        <button type="submit">Search</button>
        <div>
          <label for="images-scope">Show</label>
          <select
            id="images-scope"
            value={query.scope}
            onChange={(e) => changeQuery({ scope: e.currentTarget.value as ImageQuery['scope'] })}
          >
            {Object.entries(SCOPES).map(([value, text]) => (
              <option value={value}>{text}</option>
            ))}
          </select>
        </div>
        <div>
          <label for="images-limit">Rows per page</label>
          <select
            id="images-limit"
            value={String(query.limit)}
            onChange={(e) => changeQuery({ limit: Number(e.currentTarget.value) })}
          >
            {PAGE_SIZES.map((size) => (
              <option value={String(size)}>{size}</option>
            ))}
          </select>
        </div>
        <button type="button" onClick={() => void listing.reload()}>
          Refresh
        </button>
      </form>
      <NoticeLine notice={notice} />
      {listing.problem && (
        <p class="field-error" role="alert">
          {listing.problem}
        </p>
      )}
      <ImageTable
        images={listing.images}
        servers={listing.servers}
        open={open}
        setOpen={setOpen}
        onChange={change}
        onAction={onAction}
        capabilities={capabilities}
      />
      <p class="hint" aria-live="polite">
        {listing.loading
          ? 'Loading images…'
          : `${listing.images.length} image${listing.images.length === 1 ? '' : 's'} shown`}
      </p>
      {listing.nextCursor && (
        <button type="button" disabled={listing.loading} onClick={() => void listing.more()}>
          More
        </button>
      )}
      {dialog?.action === 'launch' && (
        <LaunchDialog image={dialog.image} region={region} regions={regions} onClose={() => setDialog(undefined)} />
      )}
      {dialog?.action === 'clone' && (
        <CloneDialog
          image={dialog.image}
          region={region}
          onClose={() => setDialog(undefined)}
          onStarted={(operation, name) => {
            setDialog(undefined);
            setNotice({
              text: `Cloning ${dialog.image.name} into ${name}: operation ${operation.id}. The new image is listed here once it is captured.`,
            });
          }}
        />
      )}
      {dialog?.action === 'share' && (
        <ShareImageDialog image={dialog.image} region={region} onClose={() => setDialog(undefined)} />
      )}
      {dialog?.action === 'delete' && (
        <DeleteImageDialog
          image={dialog.image}
          region={region}
          servers={listing.servers.get(dialog.image.id) ?? 0}
          onClose={() => setDialog(undefined)}
          onDeleting={(operation) => {
            setDialog(undefined);
            listing.remove(dialog.image.id);
            setNotice({ text: `Deleting ${dialog.image.name}: operation ${operation.id}.` });
          }}
        />
      )}
    </section>
  );
}
