import { api } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import type { ListedFirewall } from '../types';

// Deleting is for good, so it asks first; while servers are in the firewall the API refuses (409) and says which.

interface Props {
  firewall: ListedFirewall;
  onClose: () => void;
  onDeleted: () => void;
}

export function DeleteFirewallDialog({ firewall, onClose, onDeleted }: Props) {
  async function confirm(): Promise<void> {
    await api(
      'DELETE',
      `/v1/firewalls/${encodeURIComponent(firewall.id)}?region=${encodeURIComponent(firewall.region)}`,
    );
    onDeleted();
  }

  return (
    <ConfirmDialog
      title={`Delete ${firewall.name}?`}
      confirmLabel="Delete firewall"
      onConfirm={confirm}
      onClose={onClose}
    >
      <p>
        Firewall <code>{firewall.id}</code> and its {firewall.rules.length} rule(s) are deleted for good.
      </p>
    </ConfirmDialog>
  );
}
