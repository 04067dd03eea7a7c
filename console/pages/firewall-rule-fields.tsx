import type { ComponentChildren } from 'preact';
import { FieldError, fieldProps } from '../components/field-error';
import { PROTOCOLS, type RuleRow } from './firewall-rules';

// One rule's fields (protocol, ports, source), each with the API's problem for it (`rules.0.cidr`) beside it.

interface Props {
  index: number;
  rule: RuleRow;
  errors: Record<string, string>;
  onChange: (change: Partial<RuleRow>) => void;
  onRemove?: () => void;
}

export function RuleFields({ index, rule, errors, onChange, onRemove }: Props) {
  const field = (
    name: keyof RuleRow,
    label: string,
    input: (props: ReturnType<typeof fieldProps>) => ComponentChildren,
  ) => {
    const path = `rules.${index}.${name}`;
    const id = `firewall-${path.replaceAll('.', '-')}`;
    return (
      <div class="field">
        <label for={id}>{label}</label>
        {input(fieldProps(id, errors[path]))}
        <FieldError id={id} error={errors[path]} />
      </div>
    );
  };
  return (
    <div class="rule-row" role="group" aria-label={`Rule ${index + 1}`}>
      {field('protocol', 'Protocol', (props) => (
        <select
          {...props}
          value={rule.protocol}
          onChange={(e) => onChange({ protocol: e.currentTarget.value as RuleRow['protocol'] })}
        >
          {PROTOCOLS.map((p) => (
            <option value={p}>{p}</option>
          ))}
        </select>
      ))}
      {field('fromPort', 'From port', (props) => (
        <input
          {...props}
          inputMode="numeric"
          value={rule.fromPort}
          onInput={(e) => onChange({ fromPort: e.currentTarget.value })}
        />
      ))}
      {field('toPort', 'To port', (props) => (
        <input
          {...props}
          inputMode="numeric"
          value={rule.toPort}
          onInput={(e) => onChange({ toPort: e.currentTarget.value })}
        />
      ))}
      {field('cidr', 'From addresses (CIDR)', (props) => (
        <input
          {...props}
          value={rule.cidr}
          placeholder="203.0.113.0/24"
          maxLength={49}
          onInput={(e) => onChange({ cidr: e.currentTarget.value })}
        />
      ))}
      {onRemove && (
        <button type="button" aria-label={`Remove rule ${index + 1}`} onClick={onRemove}>
          Remove
        </button>
      )}
    </div>
  );
}
