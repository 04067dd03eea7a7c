import { useState } from 'preact/hooks';
import { api } from '../api';
import { FieldError, fieldErrorsOf, placeErrors } from '../components/field-error';
import { ModalDialog } from '../components/modal-dialog';
import type { ListedFirewall } from '../types';
import { RuleFields } from './firewall-rule-fields';
import { newRule, ruleOf } from './firewall-rules';

// One rule added to a firewall; running servers in it see the change at once.

interface Props {
  firewall: ListedFirewall;
  onClose: () => void;
  onChanged: (firewall: ListedFirewall) => void;
}

const FIELDS = new Set(['protocol', 'fromPort', 'toPort', 'cidr'].map((f) => `rules.0.${f}`));

export function AddRuleDialog({ firewall, onClose, onChanged }: Props) {
  const [rule, setRule] = useState(newRule());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function add(event: Event): Promise<void> {
    event.preventDefault();
    setBusy(true);
    try {
      onChanged(
        await api<ListedFirewall>(
          'POST',
          `/v1/firewalls/${encodeURIComponent(firewall.id)}/rules?region=${encodeURIComponent(firewall.region)}`,
          { rules: [ruleOf(rule)] },
        ),
      );
    } catch (err) {
      setErrors(placeErrors(fieldErrorsOf(err), FIELDS));
      setBusy(false);
    }
  }

  return (
    <ModalDialog title={`Add a rule to ${firewall.name}`} onClose={onClose} busy={busy}>
      <form onSubmit={(e) => void add(e)}>
        <RuleFields index={0} rule={rule} errors={errors} onChange={(change) => setRule({ ...rule, ...change })} />
        <FieldError id="firewall-rule" error={errors['']} />
        <div class="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            Add rule
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
