import { useState } from 'preact/hooks';
import { api } from '../api';
import { ModalDialog } from '../components/modal-dialog';
import type { ListedFirewall } from '../types';

// Deleting is for good, so it asks first; while servers are in the firewall the API refuses (409) and says which.

interface Props {
  firewall: ListedFirewall;
  onClose: () => void;
  onDeleted: () => void;
}

export function DeleteFirewallDialog({ firewall, onClose, onDeleted }: Props) {
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function confirm(): Promise<void> {
    setBusy(true);
    try {
      await api(
        'DELETE',
        `/v1/firewalls/${encodeURIComponent(firewall.id)}?region=${encodeURIComponent(firewall.region)}`,
      );
      onDeleted();
    } catch (err) {
      setProblem((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <ModalDialog title={`Delete ${firewall.name}?`} onClose={onClose} busy={busy}>
      <p>
        Firewall <code>{firewall.id}</code> and its {firewall.rules.length} rule(s) are deleted for good.
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
          Delete firewall
        </button>
      </div>
    </ModalDialog>
  );
}
