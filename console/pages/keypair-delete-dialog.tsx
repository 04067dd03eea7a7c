import { useState } from 'preact/hooks';
import { api } from '../api';
import { ModalDialog } from '../components/modal-dialog';
import type { ListedKeypair } from '../types';

// Deleting asks first; while servers use the key pair the API refuses (409) and says which, and that stays here to read.

interface Props {
  keypair: ListedKeypair;
  onClose: () => void;
  onDeleted: () => void;
}

export function KeypairDeleteDialog({ keypair, onClose, onDeleted }: Props) {
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function confirm(): Promise<void> {
    setBusy(true);
    setProblem(undefined);
    try {
      await api(
        'DELETE',
        `/v1/keypairs/${encodeURIComponent(keypair.name)}?region=${encodeURIComponent(keypair.region)}`,
      );
      onDeleted();
    } catch (err) {
      setProblem((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <ModalDialog title={`Delete key pair ${keypair.name}?`} onClose={onClose} busy={busy}>
      <p>
        Key pair <code>{keypair.name}</code> in {keypair.region} is deleted for good: no launch can use it again.
      </p>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      <div class="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => void confirm()}>
          Delete key pair
        </button>
      </div>
    </ModalDialog>
  );
}
