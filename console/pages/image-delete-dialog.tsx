import { useState } from 'preact/hooks';
import { api } from '../api';
import { ModalDialog } from '../components/modal-dialog';
import type { Image, OperationAccepted } from '../types';

// Deleting is for good, so it asks first. The API refuses (409) while servers or images depend on the image and
// says which; that answer stays in the dialog.

interface Props {
  image: Image;
  region: string;
  servers: number;
  onClose: () => void;
  onDeleting: (operation: OperationAccepted) => void;
}

export function DeleteImageDialog({ image, region, servers, onClose, onDeleting }: Props) {
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function confirm(): Promise<void> {
    setBusy(true);
    try {
      onDeleting(
        await api<OperationAccepted>(
          'DELETE',
          `/v1/images/${encodeURIComponent(image.id)}?region=${encodeURIComponent(region)}`,
        ),
      );
    } catch (err) {
      setProblem((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <ModalDialog title={`Delete ${image.name}?`} onClose={onClose}>
      <p>
        Image <code>{image.id}</code> is deleted from the cloud for good.
        {servers > 0 &&
          ` ${servers} server${servers === 1 ? ' was' : 's were'} launched from it and ${servers === 1 ? 'is' : 'are'} not terminated.`}
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
          Delete image
        </button>
      </div>
    </ModalDialog>
  );
}
