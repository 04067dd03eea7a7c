import { useState } from 'preact/hooks';
import { api } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import type { ListedServer, OperationAccepted } from '../types';

// Terminating is for good, so it asks first, and says what goes with the server: the data volumes, key pair and
// firewall its launch made for it alone (kept volumes stay, detached, for another server).

interface Props {
  server: ListedServer;
  onClose: () => void;
  onTerminating: (operation: OperationAccepted) => void;
}

export function TerminateDialog({ server, onClose, onTerminating }: Props) {
  const [keepVolumes, setKeepVolumes] = useState(false);

  async function confirm(): Promise<void> {
    onTerminating(
      await api<OperationAccepted>(
        'DELETE',
        `/v1/servers/${encodeURIComponent(server.id)}?region=${encodeURIComponent(server.region)}&keepVolumes=${keepVolumes}`,
      ),
    );
  }

  return (
    <ConfirmDialog
      title={`Terminate ${server.name}?`}
      confirmLabel="Terminate server"
      onConfirm={confirm}
      onClose={onClose}
    >
      <p>
        Server <code>{server.id}</code> is terminated for good, with the data volumes, key pair and firewall its launch
        made for it alone.
      </p>
      <label class="choice">
        <input type="checkbox" checked={keepVolumes} onChange={(e) => setKeepVolumes(e.currentTarget.checked)} />
        Keep its data volumes
      </label>
    </ConfirmDialog>
  );
}
