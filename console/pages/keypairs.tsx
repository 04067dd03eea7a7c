import { useState } from 'preact/hooks';
import { ActionMenu } from '../components/action-menu';
import { NoticeLine, type Notice } from '../components/notice';
import { usePagedList } from '../components/paged-list';
import type { CreatedKeypair, ListedKeypair } from '../types';
import { KeypairDeleteDialog } from './keypair-delete-dialog';
import { KeypairFormDialog } from './keypair-form-dialog';

// Key pairs the key's groups may launch with (theirs and the account's shared ones): create one (its private key is
// shown once), import a public key, delete one no server uses.

type Dialog = { action: 'create' | 'import' } | { action: 'delete'; keypair: ListedKeypair };

export function KeypairsPage({ region }: { region: string }) {
  const [allRegions, setAllRegions] = useState(false);
  const [open, setOpen] = useState<string>();
  const [dialog, setDialog] = useState<Dialog>();
  const [notice, setNotice] = useState<Notice>();
  const {
    items: keypairs,
    nextCursor,
    problem,
    more,
    reload,
  } = usePagedList<ListedKeypair>('/v1/keypairs', { limit: '100', ...(allRegions ? {} : { region }) }, [
    region,
    allRegions,
  ]);

  function made(keypair: CreatedKeypair): void {
    setNotice({
      text: `Key pair ${keypair.name} ${keypair.privateKey ? 'created' : 'imported'} in ${keypair.region}.`,
    });
    reload();
  }

  const place = (k: ListedKeypair) => `${k.region}/${k.name}`;
  return (
    <section aria-labelledby="keypairs-title">
      <h1 id="keypairs-title">Key pairs</h1>
      <div class="toolbar">
        <button type="button" class="primary" onClick={() => setDialog({ action: 'create' })}>
          Create key pair
        </button>
        <button type="button" onClick={() => setDialog({ action: 'import' })}>
          Import public key
        </button>
        <label class="choice">
          <input type="checkbox" checked={allRegions} onChange={(e) => setAllRegions(e.currentTarget.checked)} />
          All regions
        </label>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      <NoticeLine notice={notice} />
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      {keypairs?.length === 0 && <p class="hint">No key pairs here: create one, or import your public key.</p>}
      {keypairs && keypairs.length > 0 && (
        <table class="keypairs">
          <thead>
            <tr>
              <th scope="col">Key pair</th>
              <th scope="col">Region</th>
              <th scope="col">Fingerprint</th>
              <th scope="col">Group</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keypairs.map((keypair) => (
              <tr key={place(keypair)} data-keypair={place(keypair)}>
                <td>{keypair.name}</td>
                <td>{keypair.region}</td>
                <td>
                  <code>{keypair.fingerprint}</code>
                </td>
                <td>{keypair.group ?? <span class="hint">shared (the account’s)</span>}</td>
                <td class="row-actions">
                  <ActionMenu
                    id={`keypair-actions-${place(keypair)}`}
                    subject={keypair.name}
                    items={[{ action: 'delete', label: 'Delete' }]}
                    open={open === place(keypair)}
                    onOpen={() => setOpen(place(keypair))}
                    onClose={() => setOpen(undefined)}
                    onChoose={() => setDialog({ action: 'delete', keypair })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextCursor && (
        <button type="button" onClick={() => void more()}>
          More
        </button>
      )}
      {(dialog?.action === 'create' || dialog?.action === 'import') && (
        <KeypairFormDialog mode={dialog.action} region={region} onClose={() => setDialog(undefined)} onMade={made} />
      )}
      {dialog?.action === 'delete' && (
        <KeypairDeleteDialog
          keypair={dialog.keypair}
          onClose={() => setDialog(undefined)}
          onDeleted={() => {
            setDialog(undefined);
            setNotice({ text: `Key pair ${dialog.keypair.name} deleted from ${dialog.keypair.region}.` });
            reload();
          }}
        />
      )}
    </section>
  );
}
