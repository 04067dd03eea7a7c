import { api } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import type { ListedKeypair } from '../types';

// Deleting asks first; while servers use the key pair the API refuses (409) and says which, and that stays here to read.

interface Props {
  keypair: ListedKeypair;
  onClose: () => void;
  onDeleted: () => void;
}

export function KeypairDeleteDialog({ keypair, onClose, onDeleted }: Props) {
  async function confirm(): Promise<void> {
    await api(
      'DELETE',
      `/v1/keypairs/${encodeURIComponent(keypair.name)}?region=${encodeURIComponent(keypair.region)}`,
    );
    onDeleted();
  }

  return (
    <ConfirmDialog
      title={`Delete key pair ${keypair.name}?`}
      confirmLabel="Delete key pair"
      onConfirm={confirm}
      onClose={onClose}
    >
      <p>
        Key pair <code>{keypair.name}</code> in {keypair.region} is deleted for good: no launch can use it again.
      </p>
    </ConfirmDialog>
  );
}
