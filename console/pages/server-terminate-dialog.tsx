import { useState } from 'preact/hooks';
import { api } from '../api';
import { ModalDialog } from '../components/modal-dialog';
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
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function confirm(): Promise<void> {
    setBusy(true);
    try {
      onTerminating(
        await api<OperationAccepted>(
          'DELETE',
          `/v1/servers/${encodeURIComponent(server.id)}?region=${encodeURIComponent(server.region)}&keepVolumes=${keepVolumes}`,
        ),
      );
    } catch (err) {
      setProblem((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <ModalDialog title={`Terminate ${server.name}?`} onClose={onClose}>
      <p>
        Server <code>{server.id}</code> is terminated for good, with the data volumes, key pair and firewall its launch
        made for it alone.
      </p>
      <label class="choice">
        <input type="checkbox" checked={keepVolumes} onChange={(e) => setKeepVolumes(e.currentTarget.checked)} />
        Keep its data volumes
      </label>
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
          Terminate server
        </button>
      </div>
    </ModalDialog>
  );
}
