import { useState } from 'preact/hooks';
import { api } from '../api';
import { FieldError, fieldErrorsOf, fieldProps, placeErrors } from '../components/field-error';
import { ModalDialog } from '../components/modal-dialog';
import type { ListedFirewall } from '../types';
import { RuleFields } from './firewall-rule-fields';
import { newRule, ruleOf, type RuleRow } from './firewall-rules';

// A new firewall in the region: a name and its first rules; the API tags it with the caller's group.

interface Props {
  region: string;
  onClose: () => void;
  onCreated: (firewall: ListedFirewall) => void;
}

export function CreateFirewallDialog({ region, onClose, onCreated }: Props) {
  const [name, setName] = useState('');
  const [rules, setRules] = useState<RuleRow[]>([newRule()]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const fields = new Set([
    'name',
    ...rules.flatMap((_, i) => ['protocol', 'fromPort', 'toPort', 'cidr'].map((f) => `rules.${i}.${f}`)),
  ]);

  async function create(event: Event): Promise<void> {
    event.preventDefault();
    setBusy(true);
    try {
      onCreated(
        await api<ListedFirewall>('POST', '/v1/firewalls', { region, name: name.trim(), rules: rules.map(ruleOf) }),
      );
    } catch (err) {
      setErrors(placeErrors(fieldErrorsOf(err), fields));
      setBusy(false);
    }
  }

  return (
    <ModalDialog title={`New firewall in ${region}`} onClose={onClose} busy={busy}>
      <form onSubmit={(e) => void create(e)}>
        <div class="field">
          <label for="firewall-name">Name</label>
          <input
            {...fieldProps('firewall-name', errors.name)}
            value={name}
            maxLength={100}
            required
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <FieldError id="firewall-name" error={errors.name} />
        </div>
        {rules.map((rule, i) => (
          <RuleFields
            index={i}
            rule={rule}
            errors={errors}
            onChange={(change) => setRules(rules.map((r, j) => (j === i ? { ...r, ...change } : r)))}
            onRemove={() => setRules(rules.filter((_, j) => j !== i))}
          />
        ))}
        <button type="button" onClick={() => setRules([...rules, newRule()])}>
          Add rule
        </button>
        <FieldError id="firewall-create" error={errors[''] ?? errors.rules} />
        <div class="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            Create firewall
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
