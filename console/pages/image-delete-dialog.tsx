import { api } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
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
  async function confirm(): Promise<void> {
    onDeleting(
      await api<OperationAccepted>(
        'DELETE',
        `/v1/images/${encodeURIComponent(image.id)}?region=${encodeURIComponent(region)}`,
      ),
    );
  }

  return (
    <ConfirmDialog title={`Delete ${image.name}?`} confirmLabel="Delete image" onConfirm={confirm} onClose={onClose}>
      <p>
        Image <code>{image.id}</code> is deleted from the cloud for good.
        {servers > 0 &&
          ` ${servers} server${servers === 1 ? ' was' : 's were'} launched from it and ${servers === 1 ? 'is' : 'are'} not terminated.`}
      </p>
    </ConfirmDialog>
  );
}
